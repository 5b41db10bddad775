// `checkpoint set` on a stopped pipe: TRIM_HORIZON replays everything (the file target rewrites
// the same names with the same content), a sequence number resumes just after it, AT_TIMESTAMP
// from that time; `checkpoint list --json` shows what was set; a bad position exits 2 and changes
// nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using shardpipe::testing::fresh_test_dir;
using shardpipe::testing::PutRecord;
using shardpipe::testing::run_process_for;
using shardpipe::testing::write_file;
namespace t = shardpipe::testing;

const std::string binary = SHARDPIPE_BINARY;
const std::vector<std::string> shard_ids = {"shardId-000000000000", "shardId-000000000001"};

std::vector<PutRecord> put_group(const fs::path& dir, const std::string& name) {
  return t::put_keyed_group(binary, dir / "log", name, 20);
}

// Two groups of records a good second apart, delivered by a first run.
struct Delivered {
  fs::path dir;
  fs::path pipe;
  std::vector<PutRecord> earlier;
  std::string between;  // an RFC 3339 time between the groups
  std::vector<PutRecord> later;
  std::map<std::string, std::string> files;
};

Delivered delivered_once(const std::string& name) {
  Delivered d;
  d.dir = fresh_test_dir(name);
  d.pipe = d.dir / "pipe.yaml";
  t::create_log(binary, d.dir / "log", 2);
  d.earlier = put_group(d.dir, "earlier");
  std::this_thread::sleep_for(600ms);
  d.between = t::rfc3339_now();
  std::this_thread::sleep_for(600ms);
  d.later = put_group(d.dir, "later");
  write_file(d.pipe, R"(name: reset
source:
  type: local
  path: ./log
target:
  type: file
  path: ./out
  records_per_file: 3
retry: {backoff_initial: 50ms, backoff_max: 500ms}
checkpoint:
  lease_duration: 1s
)");
  auto ran = t::run_until_idle(binary, d.pipe);
  if (ran.exit_code != 0) throw std::runtime_error("first run failed: " + ran.err);
  d.files = t::file_tree(d.dir / "out");
  return d;
}

t::Completed set(const Delivered& d, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {binary, "checkpoint", "set", d.pipe.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process_for(30s, argv);
}

nlohmann::json listed(const Delivered& d) {
  auto list = run_process_for(30s, {binary, "checkpoint", "list", d.pipe.string(), "--json"});
  if (list.exit_code != 0) throw std::runtime_error(list.err);
  return nlohmann::json::parse(list.out);
}

TEST(CheckpointSet, TrimHorizonReplaysTheSameFiles) {
  auto d = delivered_once("checkpoint-trim");
  ASSERT_EQ(t::exactly_once(t::concat(d.earlier, d.later), t::read_file_target(d.dir / "out")), "");

  auto reset = set(d, {"--all", "--to", "TRIM_HORIZON"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  for (const auto& shard : shard_ids) {
    EXPECT_NE(reset.out.find(shard + ": checkpoint set to TRIM_HORIZON"), std::string::npos)
        << reset.out;
  }
  auto json = listed(d);
  EXPECT_EQ(json["pipe"], "reset");
  ASSERT_EQ(json["checkpoints"].size(), 2u) << json.dump();
  for (const auto& row : json["checkpoints"]) {
    EXPECT_EQ(row["checkpoint"], "TRIM_HORIZON") << row.dump();
    EXPECT_TRUE(row["pendingReset"].is_null()) << row.dump();
    EXPECT_TRUE(row["leaseOwner"].is_null()) << row.dump();
  }

  // Replayed over the old output: the same names with the same content, nothing more.
  auto replayed = t::run_until_idle(binary, d.pipe);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_EQ(t::file_tree(d.dir / "out"), d.files);

  // Replayed into an empty folder: the replay alone rebuilds exactly the same output.
  ASSERT_EQ(set(d, {"--all", "--to", "TRIM_HORIZON"}).exit_code, 0);
  fs::remove_all(d.dir / "out");
  auto rebuilt = t::run_until_idle(binary, d.pipe);
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  EXPECT_EQ(t::file_tree(d.dir / "out"), d.files);
  if (!HasFailure()) fs::remove_all(d.dir);
}

TEST(CheckpointSet, SequenceNumberResumesJustAfterIt) {
  auto d = delivered_once("checkpoint-sequence");
  auto shard = t::in_shard(t::concat(d.earlier, d.later), shard_ids[0]);
  ASSERT_GE(shard.size(), 4u);
  const auto& resume_after = shard[shard.size() / 2];
  auto reset = set(d, {"--shard", shard_ids[0], "--to", std::to_string(resume_after.sequence)});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  auto stored = t::checkpoints(binary, d.pipe);
  EXPECT_EQ(stored[shard_ids[0]], std::to_string(resume_after.sequence));
  EXPECT_EQ(stored[shard_ids[1]],
            std::to_string(t::in_shard(d.later, shard_ids[1]).back().sequence))
      << "the other shard must be left alone";

  fs::remove_all(d.dir / "out");
  auto ran = t::run_until_idle(binary, d.pipe);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  std::vector<PutRecord> expected;
  for (const auto& record : shard) {
    if (record.sequence > resume_after.sequence) expected.push_back(record);
  }
  EXPECT_EQ(t::exactly_once(expected, t::read_file_target(d.dir / "out")), "");
  if (!HasFailure()) fs::remove_all(d.dir);
}

TEST(CheckpointSet, AtTimestampResumesFromThatTime) {
  auto d = delivered_once("checkpoint-timestamp");
  auto reset = set(d, {"--all", "--to", "AT_TIMESTAMP=" + d.between});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  auto json = listed(d);
  for (const auto& row : json["checkpoints"]) {
    EXPECT_EQ(row["checkpoint"], "AT_TIMESTAMP=" + d.between) << row.dump();
  }
  fs::remove_all(d.dir / "out");
  auto ran = t::run_until_idle(binary, d.pipe);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(t::exactly_once(d.later, t::read_file_target(d.dir / "out")), "")
      << "timestamp " << d.between;
  if (!HasFailure()) fs::remove_all(d.dir);
}

TEST(CheckpointSet, BadPositionsAndShardsChangeNothing) {
  auto d = delivered_once("checkpoint-bad");
  auto before = t::checkpoints(binary, d.pipe);
  for (const std::string position :
       {"NOWHERE", "latest", "AT_TIMESTAMP=yesterday", "AT_TIMESTAMP=", "-5", "12abc", ""}) {
    auto bad = set(d, {"--all", "--to", position});
    EXPECT_EQ(bad.exit_code, 2) << "--to '" << position << "': " << bad.out << bad.err;
    EXPECT_NE(bad.err.find("TRIM_HORIZON"), std::string::npos)
        << "should say what is accepted: " << bad.err;
  }
  auto neither = set(d, {"--to", "TRIM_HORIZON"});
  EXPECT_EQ(neither.exit_code, 2) << "neither --shard nor --all: " << neither.err;
  auto both = set(d, {"--all", "--shard", shard_ids[0], "--to", "TRIM_HORIZON"});
  EXPECT_EQ(both.exit_code, 2) << "--shard with --all: " << both.err;
  auto unknown = set(d, {"--shard", "shardId-000000000099", "--to", "TRIM_HORIZON"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("shardId-000000000099"), std::string::npos) << unknown.err;
  // SEQ:N is a position inside a Kinesis KPL aggregate; the local log has none.
  auto sub_sequence = set(d, {"--all", "--to", "5:2"});
  EXPECT_EQ(sub_sequence.exit_code, 2) << sub_sequence.err;
  EXPECT_NE(sub_sequence.err.find("Kinesis"), std::string::npos) << sub_sequence.err;
  EXPECT_EQ(t::checkpoints(binary, d.pipe), before);
  if (!HasFailure()) fs::remove_all(d.dir);
}

}  // namespace
}  // namespace shardpipe
