// SIGTERM shuts a pipe down gracefully: it exits 0 within shutdown_timeout, flushes the partly
// filled file it holds (its records delivered), checkpoints exactly what it delivered, releases
// its leases, and a restart delivers only what is new.
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
using shardpipe::testing::write_file;
namespace t = shardpipe::testing;

const std::string binary = SHARDPIPE_BINARY;

std::vector<std::string> numbered_lines(int first, int count) {
  std::vector<std::string> lines;
  for (int i = first; i < first + count; ++i)
    lines.push_back(fmt::format(R"({{"k":"key-{}","n":{}}})", i, i));
  return lines;
}

TEST(Shutdown, SigtermFlushesThePartialFileCheckpointsAndReleasesLeases) {
  auto dir = fresh_test_dir("shutdown");
  t::create_log(binary, dir / "log", 2);
  auto first =
      t::put_records(binary, dir / "log", numbered_lines(0, 12), {"--partition-key-field", "k"});
  // Batches of 5 go into a file of up to 1000 records; with a 20s batching window neither the
  // batcher nor the file is flushed on its own before the signal.
  write_file(dir / "pipe.yaml", R"(name: shutdown
source:
  type: local
  path: ./log
  batch_size: 5
  maximum_batching_window: 20s
target:
  type: file
  path: ./out
  records_per_file: 1000
retry: {backoff_initial: 50ms, backoff_max: 500ms}
checkpoint:
  lease_duration: 3s
shutdown_timeout: 5s
)");

  t::create_store(binary, dir / "pipe.yaml");
  BackgroundProcess pipe({binary, "run", (dir / "pipe.yaml").string(), "--worker-id", "w1"},
                         dir / "pipe.log");
  ASSERT_TRUE(t::wait_until(
      [&] {
        auto status = t::status_json(binary, dir / "pipe.yaml");
        if (status["shards"].size() != 2) return false;
        for (const auto& shard : status["shards"]) {
          if (shard["leaseOwner"] != "w1") return false;
        }
        return true;
      },
      15s))
      << pipe.output();
  std::this_thread::sleep_for(1500ms);  // let it read everything into its batches and files
  ASSERT_TRUE(t::read_file_target(dir / "out").empty())
      << "nothing should be flushed before the signal";
  for (const auto& [shard, checkpoint] : t::checkpoints(binary, dir / "pipe.yaml")) {
    ASSERT_FALSE(t::is_sequence(checkpoint))
        << shard << " checkpointed " << checkpoint << " before any file was written";
  }

  auto signalled = std::chrono::steady_clock::now();
  pipe.signal(SIGTERM);
  auto exit_code = pipe.wait_for(15s);
  auto took = std::chrono::steady_clock::now() - signalled;
  ASSERT_TRUE(exit_code.has_value()) << pipe.output();
  EXPECT_EQ(*exit_code, 0) << pipe.output();
  EXPECT_LT(took, 5s) << "took longer than shutdown_timeout";
  EXPECT_EQ(pipe.output().find("not drained"), std::string::npos) << pipe.output();

  // The partial files were flushed: every record is delivered, and checkpointed exactly.
  EXPECT_EQ(t::exactly_once(first, t::read_file_target(dir / "out")), "");
  EXPECT_TRUE(t::stray_files(dir / "out").empty());
  std::map<std::string, uint64_t> last;
  for (const auto& record : first)
    last[record.shard_id] = std::max(last[record.shard_id], record.sequence);
  auto stored = t::checkpoints(binary, dir / "pipe.yaml");
  ASSERT_EQ(last.size(), 2u);
  for (const auto& [shard, sequence] : last)
    EXPECT_EQ(stored[shard], std::to_string(sequence)) << shard;
  auto status = t::status_json(binary, dir / "pipe.yaml");
  for (const auto& shard : status["shards"]) {
    EXPECT_TRUE(shard["leaseOwner"].is_null()) << "lease not released: " << shard.dump();
    EXPECT_EQ(shard["recordsBehind"], 0) << shard.dump();
  }
  auto files_before = t::file_tree(dir / "out");

  // A restart by another worker (no lease to wait for) delivers only the new records. (Without
  // the long batching window, which --stop-when-idle would otherwise wait out.)
  auto pipe_text = t::read_file(dir / "pipe.yaml");
  pipe_text.replace(pipe_text.find("  maximum_batching_window: 20s\n"), 31, "");
  write_file(dir / "pipe.yaml", pipe_text);
  auto second =
      t::put_records(binary, dir / "log", numbered_lines(12, 6), {"--partition-key-field", "k"});
  auto restarted = t::run_until_idle(binary, dir / "pipe.yaml", "w2");
  EXPECT_EQ(restarted.exit_code, 0) << restarted.err;
  EXPECT_EQ(t::exactly_once(t::concat(first, second), t::read_file_target(dir / "out")), "");
  auto files_after = t::file_tree(dir / "out");
  for (const auto& [name, content] : files_before) {
    EXPECT_EQ(files_after[name], content) << name << " was rewritten by the restart";
  }
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(Shutdown, SigintStopsLikeSigterm) {
  auto dir = fresh_test_dir("shutdown-int");
  t::create_log(binary, dir / "log", 1);
  auto put = t::put_records(binary, dir / "log", numbered_lines(0, 7));
  write_file(dir / "pipe.yaml", R"(name: interrupt
source:
  type: local
  path: ./log
  maximum_batching_window: 20s
target:
  type: file
  path: ./out
checkpoint:
  lease_duration: 2s
shutdown_timeout: 5s
)");
  t::create_store(binary, dir / "pipe.yaml");
  BackgroundProcess pipe({binary, "run", (dir / "pipe.yaml").string(), "--worker-id", "w1"},
                         dir / "pipe.log");
  ASSERT_TRUE(t::wait_until(
      [&] { return t::status_json(binary, dir / "pipe.yaml")["shards"][0]["leaseOwner"] == "w1"; },
      15s))
      << pipe.output();
  std::this_thread::sleep_for(1s);
  pipe.signal(SIGINT);
  auto exit_code = pipe.wait_for(15s);
  ASSERT_TRUE(exit_code.has_value()) << pipe.output();
  EXPECT_EQ(*exit_code, 0) << pipe.output();
  EXPECT_EQ(t::exactly_once(put, t::read_file_target(dir / "out")), "");
  EXPECT_EQ(t::checkpoints(binary, dir / "pipe.yaml")[put.front().shard_id],
            std::to_string(put.back().sequence));
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe
