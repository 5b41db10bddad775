// child_shard_position decides where shards born of a split start once their parent is finished.
// A child is discovered by the next run; with LATEST it starts at its newest record at that
// moment, so records put into it between the split and that run are skipped (and records put
// afterwards delivered); with TRIM_HORIZON every record of the children is delivered.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using shardpipe::testing::BackgroundProcess;
using shardpipe::testing::fresh_test_dir;
using shardpipe::testing::PutRecord;
using shardpipe::testing::write_file;
namespace t = shardpipe::testing;

const std::string binary = SHARDPIPE_BINARY;
constexpr const char* parent = "shardId-000000000000";
constexpr const char* child_a = "shardId-000000000001";
constexpr const char* child_b = "shardId-000000000002";

std::vector<PutRecord> put_group(const fs::path& dir, const std::string& name) {
  return t::put_keyed_group(binary, dir / "log", name, 16);
}

// One shard, read to the end by a first run, then split; records then put into the children.
struct Split {
  fs::path dir;
  std::vector<PutRecord> before_split;
  std::vector<PutRecord> into_children;
};

Split split_after_a_run(const std::string& name, const std::string& child_position) {
  Split s;
  s.dir = fresh_test_dir(name);
  t::create_log(binary, s.dir / "log", 1);
  write_file(s.dir / "pipe.yaml", fmt::format(R"(name: children
source:
  type: local
  path: ./log
  child_shard_position: {}
target:
  type: file
  path: ./out
  records_per_file: 5
retry: {{backoff_initial: 50ms, backoff_max: 500ms}}
checkpoint:
  lease_duration: 2s
)",
                                              child_position));
  s.before_split = put_group(s.dir, "before-split");
  auto first = t::run_until_idle(binary, s.dir / "pipe.yaml");
  if (first.exit_code != 0) throw std::runtime_error("first run failed: " + first.err);
  auto split = t::run_process_for(
      30s, {binary, "log", "split", (s.dir / "log").string(), "--shard", parent});
  if (split.exit_code != 0) throw std::runtime_error("split failed: " + split.err);
  s.into_children = put_group(s.dir, "between-split-and-run");
  for (const char* child : {child_a, child_b}) {
    if (t::in_shard(s.into_children, child).empty())
      throw std::runtime_error(std::string("nothing put into ") + child);
  }
  return s;
}

void expect_parent_finished(const fs::path& pipe) {
  auto status = t::status_json(binary, pipe);
  bool found = false;
  for (const auto& shard : status["shards"]) {
    if (shard["shardId"] == parent) {
      found = true;
      EXPECT_EQ(shard["state"], "finished") << shard.dump();
    } else {
      EXPECT_EQ(shard["parentShardIds"], nlohmann::json::array({parent})) << shard.dump();
    }
  }
  EXPECT_TRUE(found);
}

TEST(ChildShardPosition, TrimHorizonDeliversEveryRecordOfTheChildren) {
  auto s = split_after_a_run("child-trim", "TRIM_HORIZON");
  auto ran = t::run_until_idle(binary, s.dir / "pipe.yaml");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(t::exactly_once(t::concat(s.before_split, s.into_children),
                            t::read_file_target(s.dir / "out")),
            "");
  expect_parent_finished(s.dir / "pipe.yaml");
  if (!HasFailure()) fs::remove_all(s.dir);
}

TEST(ChildShardPosition, LatestSkipsWhatChildrenHeldWhenDiscoveredAndDeliversTheRest) {
  auto s = split_after_a_run("child-latest", "LATEST");
  BackgroundProcess pipe(
      {binary, "run", (s.dir / "pipe.yaml").string(), "--worker-id", "w", "--stop-when-idle", "3s"},
      s.dir / "pipe.log");
  // Once both children are leased (their parent finished), they have started at their tips.
  ASSERT_TRUE(t::wait_until(
      [&] {
        int leased = 0;
        auto status = t::status_json(binary, s.dir / "pipe.yaml");
        for (const auto& shard : status["shards"]) {
          if (shard["shardId"] != parent && shard["leaseOwner"] == "w") ++leased;
        }
        return leased == 2;
      },
      15s))
      << pipe.output();
  std::this_thread::sleep_for(1s);
  auto after_discovery = put_group(s.dir, "after-discovery");
  auto exit_code = pipe.wait_for(60s);
  ASSERT_TRUE(exit_code.has_value()) << pipe.output();
  EXPECT_EQ(*exit_code, 0) << pipe.output();
  EXPECT_EQ(t::exactly_once(t::concat(s.before_split, after_discovery),
                            t::read_file_target(s.dir / "out")),
            "");
  expect_parent_finished(s.dir / "pipe.yaml");
  if (!HasFailure()) fs::remove_all(s.dir);
}

}  // namespace
}  // namespace shardpipe
