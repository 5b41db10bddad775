// Several workers of one pipe: they may start together on a brand-new pipe (the checkpoint store
// is created by whichever comes first, and nobody fails for it), and with --stop-when-idle they
// share the shards and all stop once everything is delivered.
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

void write_pipe(const fs::path& dir) {
  write_file(dir / "pipe.yaml", R"(name: workers
source:
  type: local
  path: ./log
target:
  type: file
  path: ./out
  records_per_file: 5
retry: {backoff_initial: 50ms, backoff_max: 500ms}
checkpoint:
  lease_duration: 2s
shutdown_timeout: 5s
)");
}

// Workers and operator commands starting at the same moment on a pipe whose checkpoint store
// does not exist yet: every one of them must work ("database is locked" is not an answer).
// Creating the store races; a broken store may still pass an attempt by luck, so there are
// several attempts with four workers each.
TEST(MultipleWorkers, StartTogetherOnANewPipe) {
  auto dir = fresh_test_dir("workers-start");
  t::create_log(binary, dir / "log", 4);
  write_pipe(dir);
  constexpr int attempts = 10;
  for (int attempt = 0; attempt < attempts && !HasFailure(); ++attempt) {
    fs::remove_all(dir / "state");
    std::vector<std::unique_ptr<BackgroundProcess>> workers;
    for (int w = 0; w < 4; ++w) {
      workers.push_back(std::make_unique<BackgroundProcess>(
          std::vector<std::string>{binary, "run", (dir / "pipe.yaml").string(), "--worker-id",
                                   fmt::format("w{}", w)},
          dir / fmt::format("attempt-{}-w{}.log", attempt, w)));
    }
    auto status =
        t::run_process_for(30s, {binary, "status", (dir / "pipe.yaml").string(), "--json"});
    EXPECT_EQ(status.exit_code, 0) << "attempt " << attempt << ": " << status.err;
    // Each worker must get through its start; a busy machine may take a while to even run it.
    for (auto& worker : workers) {
      t::wait_until(
          [&] {
            return !worker->running() ||
                   worker->output().find("running as worker") != std::string::npos;
          },
          30s);
    }
    std::this_thread::sleep_for(300ms);
    for (auto& worker : workers) worker->signal(SIGTERM);
    for (size_t w = 0; w < workers.size(); ++w) {
      auto exit_code = workers[w]->wait_for(15s);
      ASSERT_TRUE(exit_code.has_value()) << workers[w]->output();
      EXPECT_EQ(*exit_code, 0) << "attempt " << attempt << ", worker w" << w << ":\n"
                               << workers[w]->output();
    }
  }
  if (!HasFailure()) fs::remove_all(dir);
}

std::vector<t::PutRecord> put_keys(const fs::path& dir, int count) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) lines.push_back(fmt::format(R"({{"k":"key-{}"}})", i));
  return t::put_records(binary, dir / "log", lines, {"--partition-key-field", "k"});
}

// Two workers with --stop-when-idle share the shards, deliver everything once and both stop.
TEST(MultipleWorkers, TwoWorkersStoppingWhenIdleBothStop) {
  auto dir = fresh_test_dir("workers-idle");
  t::create_log(binary, dir / "log", 4);
  auto put = put_keys(dir, 40);
  write_pipe(dir);
  t::create_store(binary, dir / "pipe.yaml");
  BackgroundProcess a(
      {binary, "run", (dir / "pipe.yaml").string(), "--worker-id", "a", "--stop-when-idle", "1s"},
      dir / "a.log");
  BackgroundProcess b(
      {binary, "run", (dir / "pipe.yaml").string(), "--worker-id", "b", "--stop-when-idle", "1s"},
      dir / "b.log");
  auto a_exit = a.wait_for(30s);
  auto b_exit = b.wait_for(a_exit ? 15s : 1s);
  auto status = t::status_json(binary, dir / "pipe.yaml");
  EXPECT_TRUE(a_exit.has_value()) << "worker a did not stop; status: " << status.dump();
  EXPECT_TRUE(b_exit.has_value()) << "worker b did not stop; status: " << status.dump();
  EXPECT_EQ(a_exit.value_or(-1), 0) << a.output();
  EXPECT_EQ(b_exit.value_or(-1), 0) << b.output();
  EXPECT_EQ(t::exactly_once(put, t::read_file_target(dir / "out")), "");
  if (!HasFailure()) fs::remove_all(dir);
}

// "--stop-when-idle exits once every shard this worker can own is caught up": a shard that
// another live worker holds (and renews) is not one this worker can own. Otherwise two workers
// that each hold some shards wait for each other's shards forever and neither ever stops.
TEST(MultipleWorkers, StopWhenIdleDoesNotWaitForShardsAnotherLiveWorkerHolds) {
  auto dir = fresh_test_dir("workers-held");
  t::create_log(binary, dir / "log", 2);
  auto put = put_keys(dir, 20);
  write_pipe(dir);
  t::create_store(binary, dir / "pipe.yaml");
  BackgroundProcess owner({binary, "run", (dir / "pipe.yaml").string(), "--worker-id", "owner"},
                          dir / "owner.log");
  ASSERT_TRUE(t::wait_until(
      [&] { return t::exactly_once(put, t::read_file_target(dir / "out")).empty(); }, 20s))
      << owner.output();
  auto status = t::status_json(binary, dir / "pipe.yaml");
  for (const auto& shard : status["shards"]) {
    ASSERT_EQ(shard["leaseOwner"], "owner") << shard.dump();
  }

  BackgroundProcess idle({binary, "run", (dir / "pipe.yaml").string(), "--worker-id", "idle",
                          "--stop-when-idle", "1s"},
                         dir / "idle.log");
  auto idle_exit = idle.wait_for(15s);
  EXPECT_TRUE(idle_exit.has_value()) << "waited for shards the live worker 'owner' holds\n"
                                     << idle.output();
  EXPECT_EQ(idle_exit.value_or(-1), 0) << idle.output();
  EXPECT_TRUE(owner.running()) << owner.output();
  owner.signal(SIGTERM);
  auto owner_exit = owner.wait_for(15s);
  ASSERT_TRUE(owner_exit.has_value());
  EXPECT_EQ(*owner_exit, 0) << owner.output();
  EXPECT_EQ(t::exactly_once(put, t::read_file_target(dir / "out")), "");
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe
