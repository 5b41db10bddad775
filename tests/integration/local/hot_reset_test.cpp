// `checkpoint set` on a running pipe: the command waits for the owner and reports its adoption,
// and the same process adopts it within a lease-renewal interval (lease_duration / 3), without a
// restart and without losing its leases, then reads from the new position.
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
using shardpipe::testing::run_process_for;
using shardpipe::testing::write_file;
namespace t = shardpipe::testing;

const std::string binary = SHARDPIPE_BINARY;

std::vector<PutRecord> put_group(const fs::path& dir, const std::string& name) {
  return t::put_keyed_group(binary, dir / "log", name, 10);
}

struct Running {
  fs::path dir;
  fs::path pipe;
  std::vector<PutRecord> first;
  std::unique_ptr<BackgroundProcess> process;
  std::map<std::string, int64_t> counters;  // lease counters once everything was delivered
};

// A pipe running in the background (no --stop-when-idle) that has delivered a first group.
void start(Running& r, const std::string& name) {
  r.dir = fresh_test_dir(name);
  r.pipe = r.dir / "pipe.yaml";
  t::create_log(binary, r.dir / "log", 2);
  r.first = put_group(r.dir, "first");
  write_file(r.pipe, R"(name: hot
source:
  type: local
  path: ./log
target:
  type: file
  path: ./out
  records_per_file: 4
retry: {backoff_initial: 50ms, backoff_max: 500ms}
checkpoint:
  lease_duration: 3s
shutdown_timeout: 5s
)");
  r.process = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{binary, "run", r.pipe.string(), "--worker-id", "hot-worker"},
      r.dir / "pipe.log");
  ASSERT_TRUE(t::wait_until(
      [&] { return t::exactly_once(r.first, t::read_file_target(r.dir / "out")).empty(); }, 20s))
      << r.process->output();
  ASSERT_TRUE(t::wait_until(
      [&] {
        auto stored = t::checkpoints(binary, r.pipe);
        for (const auto& record : r.first) {
          if (stored[record.shard_id] !=
              std::to_string(t::in_shard(r.first, record.shard_id).back().sequence))
            return false;
        }
        return true;
      },
      10s));
  auto status = t::status_json(binary, r.pipe);
  for (const auto& shard : status["shards"]) {
    ASSERT_EQ(shard["leaseOwner"], "hot-worker") << shard.dump();
    r.counters[shard["shardId"]] = shard["leaseCounter"];
  }
}

// Resets every shard of the running pipe and waits for the owner to adopt it.
void reset_and_wait_for_adoption(Running& r, const std::string& position) {
  auto reset = run_process_for(
      30s, {binary, "checkpoint", "set", r.pipe.string(), "--all", "--to", position});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  for (const auto& [shard, counter] : r.counters) {
    auto line = reset.out.find(fmt::format("{}: checkpoint set to {}", shard, position));
    EXPECT_NE(line, std::string::npos) << reset.out;
    EXPECT_NE(reset.out.find("adopted by the running owner hot-worker after", line),
              std::string::npos)
        << reset.out;
  }
  auto asked = std::chrono::steady_clock::now();
  ASSERT_TRUE(t::wait_until(
      [&] {
        auto list = run_process_for(30s, {binary, "checkpoint", "list", r.pipe.string(), "--json"});
        auto json = nlohmann::json::parse(list.out);
        for (const auto& row : json["checkpoints"]) {
          if (!row["pendingReset"].is_null()) return false;
        }
        return true;
      },
      10s))
      << "the reset was not adopted\n"
      << r.process->output();
  // One renewal interval is 1s; allow for the polling of this test and a busy machine.
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s);
  EXPECT_TRUE(r.process->running())
      << "the worker restarted or died instead of adopting the reset\n"
      << r.process->output();
  auto status = t::status_json(binary, r.pipe);
  for (const auto& shard : status["shards"]) {
    EXPECT_EQ(shard["leaseOwner"], "hot-worker") << shard.dump();
    EXPECT_EQ(shard["leaseCounter"], r.counters[shard["shardId"]])
        << "the lease changed hands: " << shard.dump();
  }
  EXPECT_NE(r.process->output().find("adopted"), std::string::npos) << r.process->output();
}

void stop(Running& r) {
  r.process->signal(SIGTERM);
  auto exit_code = r.process->wait_for(15s);
  ASSERT_TRUE(exit_code.has_value()) << r.process->output();
  EXPECT_EQ(*exit_code, 0) << r.process->output();
}

TEST(HotReset, RunningPipeAdoptsLatestAndDeliversWhatComesAfter) {
  Running r;
  ASSERT_NO_FATAL_FAILURE(start(r, "hot-reset-latest"));
  ASSERT_NO_FATAL_FAILURE(reset_and_wait_for_adoption(r, "LATEST"));
  // LATEST is resolved to each shard's tip when it is set, so it cannot move later.
  for (const auto& [shard, checkpoint] : t::checkpoints(binary, r.pipe)) {
    auto held = t::in_shard(r.first, shard);
    EXPECT_EQ(checkpoint, held.empty() ? "TRIM_HORIZON" : std::to_string(held.back().sequence))
        << shard;
  }
  auto second = put_group(r.dir, "second");
  EXPECT_TRUE(t::wait_until(
      [&] {
        return t::exactly_once(t::concat(r.first, second), t::read_file_target(r.dir / "out"))
            .empty();
      },
      20s))
      << t::exactly_once(t::concat(r.first, second), t::read_file_target(r.dir / "out"))
      << r.process->output();
  ASSERT_NO_FATAL_FAILURE(stop(r));
  EXPECT_EQ(t::exactly_once(t::concat(r.first, second), t::read_file_target(r.dir / "out")), "");
  if (!HasFailure()) fs::remove_all(r.dir);
}

TEST(HotReset, RunningPipeAdoptsTrimHorizonAndRewritesTheSameFiles) {
  Running r;
  ASSERT_NO_FATAL_FAILURE(start(r, "hot-reset-trim"));
  auto files = t::file_tree(r.dir / "out");
  fs::remove_all(r.dir / "out");
  ASSERT_NO_FATAL_FAILURE(reset_and_wait_for_adoption(r, "TRIM_HORIZON"));
  EXPECT_TRUE(t::wait_until([&] { return t::file_tree(r.dir / "out") == files; }, 20s))
      << "the replay did not rebuild the same files\n"
      << r.process->output();
  ASSERT_NO_FATAL_FAILURE(stop(r));
  EXPECT_EQ(t::file_tree(r.dir / "out"), files);
  if (!HasFailure()) fs::remove_all(r.dir);
}

}  // namespace
}  // namespace shardpipe
