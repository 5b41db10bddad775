// A target the pipe cannot write to is a condition an operator can fix: the pipe keeps retrying
// with a warning naming the path, checkpoints nothing it has not delivered, and once the path is
// fixed delivers every record exactly once. (Tests run as root, which ignores permissions, so the
// path is made unwritable with a regular file where a folder must be, or a folder where a file
// must be.)
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

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

size_t occurrences(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
    ++count;
  return count;
}

std::vector<std::string> numbered_lines(int count, int first = 0) {
  std::vector<std::string> lines;
  for (int i = first; i < first + count; ++i)
    lines.push_back(fmt::format(R"({{"k":"key-{}","n":{}}})", i, i));
  return lines;
}

std::string pipe_yaml(const std::string& target_path, const std::string& extra = "") {
  return fmt::format(R"(name: unwritable
source:
  type: local
  path: ./log
target:
  type: file
  path: {}
  records_per_file: 4
retry: {{backoff_initial: 50ms, backoff_max: 500ms}}
checkpoint:
  lease_duration: 2s
shutdown_timeout: 3s
{})",
                     target_path, extra);
}

// Nothing may be checkpointed while nothing could be written.
void expect_no_sequence_checkpoint(const fs::path& pipe) {
  for (const auto& [shard, checkpoint] : t::checkpoints(binary, pipe)) {
    EXPECT_FALSE(t::is_sequence(checkpoint))
        << shard << " checkpointed " << checkpoint << " with nothing written";
  }
}

void expect_checkpoints_at_the_end(const fs::path& pipe, const std::vector<PutRecord>& put) {
  std::map<std::string, uint64_t> last;
  for (const auto& record : put)
    last[record.shard_id] = std::max(last[record.shard_id], record.sequence);
  auto stored = t::checkpoints(binary, pipe);
  for (const auto& [shard, sequence] : last)
    EXPECT_EQ(stored[shard], std::to_string(sequence)) << shard;
}

TEST(UnwritableTarget, FolderBlockedByAFileIsRetriedUntilFixed) {
  auto dir = fresh_test_dir("unwritable-folder");
  t::create_log(binary, dir / "log", 2);
  auto put =
      t::put_records(binary, dir / "log", numbered_lines(30), {"--partition-key-field", "k"});
  write_file(dir / "blocker", "a regular file where the target folder must go\n");
  write_file(dir / "pipe.yaml", pipe_yaml("./blocker/out"));

  BackgroundProcess pipe({binary, "run", (dir / "pipe.yaml").string(), "--stop-when-idle", "2s"},
                         dir / "pipe.log");
  auto target = (dir / "blocker" / "out").string();
  // It warns, naming the path, and keeps trying (several warnings, still running).
  ASSERT_TRUE(t::wait_until([&] { return occurrences(pipe.output(), target) >= 3; }, 20s))
      << pipe.output();
  EXPECT_NE(pipe.output().find("Not a directory"), std::string::npos) << pipe.output();
  EXPECT_NE(pipe.output().find("warn"), std::string::npos) << pipe.output();
  std::this_thread::sleep_for(
      2500ms);  // longer than --stop-when-idle: being blocked is not being idle
  ASSERT_TRUE(pipe.running()) << "gave up on a target that can be fixed\n" << pipe.output();
  expect_no_sequence_checkpoint(dir / "pipe.yaml");

  fs::remove(dir / "blocker");
  auto exit_code = pipe.wait_for(60s);
  ASSERT_TRUE(exit_code.has_value()) << "did not finish after the path was fixed\n"
                                     << pipe.output();
  EXPECT_EQ(*exit_code, 0) << pipe.output();
  EXPECT_EQ(t::exactly_once(put, t::read_file_target(dir / "blocker" / "out")), "");
  EXPECT_TRUE(t::stray_files(dir / "blocker" / "out").empty());
  expect_checkpoints_at_the_end(dir / "pipe.yaml", put);
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(UnwritableTarget, FileThatCannotBeCreatedIsRetriedUntilFixed) {
  auto dir = fresh_test_dir("unwritable-file");
  t::create_log(binary, dir / "log", 1);
  auto put = t::put_records(binary, dir / "log", numbered_lines(10));
  // The first file's temporary name is taken by a folder that cannot simply be removed.
  auto blocked =
      dir / "out" / put.front().shard_id / fmt::format("{:020}.jsonl.tmp", put.front().sequence);
  write_file(blocked / "keep", "x");
  write_file(dir / "pipe.yaml", pipe_yaml("./out"));

  BackgroundProcess pipe({binary, "run", (dir / "pipe.yaml").string(), "--stop-when-idle", "2s"},
                         dir / "pipe.log");
  ASSERT_TRUE(t::wait_until([&] { return occurrences(pipe.output(), blocked.string()) >= 3; }, 20s))
      << pipe.output();
  EXPECT_NE(pipe.output().find("delivery failed"), std::string::npos) << pipe.output();
  std::this_thread::sleep_for(2500ms);
  ASSERT_TRUE(pipe.running()) << pipe.output();
  expect_no_sequence_checkpoint(dir / "pipe.yaml");
  EXPECT_TRUE(t::read_file_target(dir / "out").empty())
      << "later files were written before the first one";

  fs::remove_all(blocked);
  auto exit_code = pipe.wait_for(60s);
  ASSERT_TRUE(exit_code.has_value()) << pipe.output();
  EXPECT_EQ(*exit_code, 0) << pipe.output();
  EXPECT_EQ(t::exactly_once(put, t::read_file_target(dir / "out")), "");
  EXPECT_TRUE(t::stray_files(dir / "out").empty());
  expect_checkpoints_at_the_end(dir / "pipe.yaml", put);
  if (!HasFailure()) fs::remove_all(dir);
}

// --stop-when-idle exits only once every record read so far is handled. Records that arrive
// while the pipe is idle, and then cannot be written, are work left: the pipe must keep retrying
// rather than call itself idle and exit 0 with them undelivered.
TEST(UnwritableTarget, StopWhenIdleWaitsForRecordsThatArriveWhileIdle) {
  auto dir = fresh_test_dir("unwritable-idle");
  t::create_log(binary, dir / "log", 1);
  write_file(dir / "pipe.yaml", pipe_yaml("./out"));
  t::create_store(binary, dir / "pipe.yaml");
  BackgroundProcess pipe({binary, "run", (dir / "pipe.yaml").string(), "--worker-id", "idle-worker",
                          "--stop-when-idle", "3s"},
                         dir / "pipe.log");
  ASSERT_TRUE(t::wait_until(
      [&] {
        auto status = t::status_json(binary, dir / "pipe.yaml");
        return !status["shards"].empty() && status["shards"][0]["leaseOwner"] == "idle-worker";
      },
      10s))
      << pipe.output();
  // A fresh log numbers its first record 1; block the file it will start.
  auto blocked = dir / "out" / "shardId-000000000000" / fmt::format("{:020}.jsonl.tmp", 1);
  write_file(blocked / "keep", "x");
  auto put = t::put_records(binary, dir / "log", numbered_lines(10));
  ASSERT_EQ(put.front().sequence, 1u);

  auto early = pipe.wait_for(8s);
  EXPECT_FALSE(early.has_value()) << "exited " << early.value_or(-1)
                                  << " although none of the records it read was delivered\n"
                                  << pipe.output();
  fs::remove_all(blocked);
  auto exit_code = pipe.wait_for(60s);
  ASSERT_TRUE(exit_code.has_value()) << pipe.output();
  EXPECT_EQ(*exit_code, 0) << pipe.output();
  if (early) {
    // What an operator would do next: run again. Nothing may be lost either way.
    auto again = t::run_until_idle(binary, dir / "pipe.yaml");
    EXPECT_EQ(again.exit_code, 0) << again.err;
  }
  EXPECT_EQ(t::exactly_once(put, t::read_file_target(dir / "out")), "");
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe
