// Where a pipe starts on its first run: TRIM_HORIZON reads everything kept, LATEST only what is
// put after it started, AT_TIMESTAMP what arrived at or after the timestamp. Later runs resume
// from the checkpoint, whatever the starting position.
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

std::vector<PutRecord> put_group(const fs::path& dir, const std::string& name, int count = 12) {
  return t::put_keyed_group(binary, dir / "log", name, count);
}

void write_pipe(const fs::path& dir, const std::string& source_extra) {
  write_file(dir / "pipe.yaml", fmt::format(R"(name: positions
source:
  type: local
  path: ./log
{}target:
  type: file
  path: ./out
  records_per_file: 5
retry: {{backoff_initial: 50ms, backoff_max: 500ms}}
checkpoint:
  lease_duration: 2s
)",
                                            source_extra));
}

bool all_leases_held_by(const fs::path& pipe, const std::string& worker, size_t shards) {
  auto status = t::status_json(binary, pipe);
  if (status["shards"].size() != shards) return false;
  for (const auto& shard : status["shards"]) {
    if (shard["leaseOwner"] != worker) return false;
  }
  return true;
}

TEST(StartingPosition, TrimHorizonReadsEverything) {
  auto dir = fresh_test_dir("position-trim");
  t::create_log(binary, dir / "log", 2);
  auto put = put_group(dir, "a");
  write_pipe(dir, "  starting_position: TRIM_HORIZON\n");
  auto ran = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(t::exactly_once(put, t::read_file_target(dir / "out")), "");
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(StartingPosition, LatestDeliversOnlyRecordsPutAfterThePipeStarted) {
  auto dir = fresh_test_dir("position-latest");
  t::create_log(binary, dir / "log", 2);
  auto before = put_group(dir, "before");
  write_pipe(dir, "  starting_position: LATEST\n");
  t::create_store(binary, dir / "pipe.yaml");
  BackgroundProcess pipe(
      {binary, "run", (dir / "pipe.yaml").string(), "--worker-id", "w", "--stop-when-idle", "3s"},
      dir / "pipe.log");
  ASSERT_TRUE(t::wait_until([&] { return all_leases_held_by(dir / "pipe.yaml", "w", 2); }, 15s))
      << pipe.output();
  std::this_thread::sleep_for(1500ms);
  auto after = put_group(dir, "after");
  ASSERT_FALSE(t::in_shard(after, "shardId-000000000000").empty());
  ASSERT_FALSE(t::in_shard(after, "shardId-000000000001").empty());
  auto exit_code = pipe.wait_for(60s);
  ASSERT_TRUE(exit_code.has_value()) << pipe.output();
  EXPECT_EQ(*exit_code, 0) << pipe.output();
  EXPECT_EQ(t::exactly_once(after, t::read_file_target(dir / "out")), "");

  // A restart resumes from the checkpoints: what was put while it was stopped is delivered.
  auto later = put_group(dir, "later");
  auto again = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(t::exactly_once(t::concat(after, later), t::read_file_target(dir / "out")), "");
  if (!HasFailure()) fs::remove_all(dir);
}

// A shard that received nothing while a LATEST pipe ran still had its start fixed by that run:
// records put into it afterwards, while the pipe was stopped, come after that start and must be
// delivered by the next run, not skipped by seeking to the newest record again.
TEST(StartingPosition, LatestStartIsKeptAcrossARestartWithNoRecordsInBetween) {
  auto dir = fresh_test_dir("position-latest-restart");
  t::create_log(binary, dir / "log", 1);
  put_group(dir, "before", 3);
  write_pipe(dir, "  starting_position: LATEST\n");
  auto first = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(t::read_file_target(dir / "out").empty());

  auto while_stopped = put_group(dir, "while-stopped", 3);
  auto second = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(t::exactly_once(while_stopped, t::read_file_target(dir / "out")), "")
      << "checkpoints: " << nlohmann::json(t::checkpoints(binary, dir / "pipe.yaml")).dump();
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(StartingPosition, AtTimestampDeliversWhatArrivedFromThen) {
  auto dir = fresh_test_dir("position-timestamp");
  t::create_log(binary, dir / "log", 2);
  put_group(dir, "earlier");
  std::this_thread::sleep_for(600ms);
  auto timestamp = t::rfc3339_now();
  std::this_thread::sleep_for(600ms);
  auto from_then = put_group(dir, "from-then");
  write_pipe(dir,
             fmt::format("  starting_position: AT_TIMESTAMP\n  starting_position_timestamp: {}\n",
                         timestamp));
  auto validated = t::run_process_for(30s, {binary, "validate", (dir / "pipe.yaml").string()});
  ASSERT_EQ(validated.exit_code, 0) << validated.err;

  auto ran = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(t::exactly_once(from_then, t::read_file_target(dir / "out")), "")
      << "timestamp " << timestamp;

  // Later runs resume from the checkpoint rather than from the timestamp.
  auto later = put_group(dir, "later");
  auto again = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(t::exactly_once(t::concat(from_then, later), t::read_file_target(dir / "out")), "");
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe
