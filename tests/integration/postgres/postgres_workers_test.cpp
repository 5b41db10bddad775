// Three `shardpipe run` workers sharing one pipe through the PostgreSQL checkpoint store: every
// shard has a live owner, every record reaches the file target exactly once, and when one worker
// is killed with SIGKILL the others take its shards over within about lease_duration and lose
// nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "local_pipe.hpp"
#include "postgres_server.hpp"
#include "process.hpp"

namespace shardpipe::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string shardpipe_binary = SHARDPIPE_BINARY;
constexpr int shard_count = 12;

std::vector<PutRecord> put_batch(const fs::path& dir, int first, int count) {
  std::vector<std::string> lines;
  for (int i = first; i < first + count; ++i) {
    lines.push_back(fmt::format(R"({{"k":"key-{}","i":{}}})", i % 50, i));
  }
  return put_records(shardpipe_binary, dir / "log", lines, {"--partition-key-field", "k"});
}

// Shard id -> live owner ("" when none), from `status --json`.
std::map<std::string, std::string> owners(const fs::path& pipe) {
  std::map<std::string, std::string> out;
  auto status = status_json(shardpipe_binary, pipe);
  for (const auto& shard : status["shards"]) {
    out[shard["shardId"]] = shard["leaseOwner"].is_string() ? shard["leaseOwner"] : "";
  }
  return out;
}

// Empty when each of the pipe's shards has a live owner among `workers`; else what is wrong.
std::string owned_by(const fs::path& pipe, const std::set<std::string>& workers) {
  auto now = owners(pipe);
  std::string problems;
  if (now.size() != static_cast<size_t>(shard_count)) {
    problems += fmt::format("{} shards in status; ", now.size());
  }
  for (const auto& [shard, owner] : now) {
    if (!workers.contains(owner)) problems += fmt::format("{} owned by '{}'; ", shard, owner);
  }
  return problems;
}

TEST(PostgresStoreWorkers, ThreeWorkersDeliverExactlyOnceAndTakeOverAKilledOnesShards) {
  auto dir = fresh_test_dir("pg-workers");
  PostgresServer db(dir);
  create_log(shardpipe_binary, dir / "log", shard_count);
  auto pipe = dir / "pipe.yaml";
  write_file(pipe, fmt::format(R"(name: pg-workers
source:
  type: local
  path: ./log
target:
  type: file
  path: ./out
  records_per_file: 5
retry: {{backoff_initial: 50ms, backoff_max: 500ms}}
checkpoint:
  store: "{}"
  lease_duration: 2s
metrics:
  listen: "off"
shutdown_timeout: 5s
)",
                               db.dsn()));
  create_store(shardpipe_binary, pipe);

  std::map<std::string, std::unique_ptr<BackgroundProcess>> workers;
  for (std::string id : {"w0", "w1", "w2"}) {
    workers[id] = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{shardpipe_binary, "run", pipe.string(), "--worker-id", id},
        dir / (id + ".log"));
  }
  auto logs = [&] {
    std::string text;
    for (auto& [id, worker] : workers) text += "--- " + id + "\n" + worker->output();
    return text;
  };

  // Records arrive while the workers start and run.
  std::vector<PutRecord> put;
  for (int chunk = 0; chunk < 4; ++chunk) {
    put = concat(put, put_batch(dir, chunk * 60, 60));
    std::this_thread::sleep_for(300ms);
  }
  std::string missing;
  EXPECT_TRUE(wait_until(
      [&] { return (missing = exactly_once(put, read_file_target(dir / "out"))).empty(); }, 60s))
      << missing << logs();
  std::string unowned;
  EXPECT_TRUE(wait_until(
      [&] {
        return (unowned = owned_by(pipe, {"w0", "w1", "w2"})).empty();
      },
      20s))
      << unowned << logs();
  ASSERT_FALSE(HasFailure());

  // Kill the worker holding the most shards (without balancing, one may hold them all).
  std::map<std::string, int> held;
  for (const auto& [shard, owner] : owners(pipe)) ++held[owner];
  auto victim = std::max_element(held.begin(), held.end(), [](const auto& a, const auto& b) {
                  return a.second < b.second;
                })->first;
  std::set<std::string> survivors = {"w0", "w1", "w2"};
  survivors.erase(victim);
  workers[victim]->signal(SIGKILL);
  ASSERT_TRUE(workers[victim]->wait_for(10s).has_value());
  auto killed_at = std::chrono::steady_clock::now();

  // More records after the kill, some of them for the dead worker's shards.
  put = concat(put, put_batch(dir, 240, 120));
  EXPECT_TRUE(wait_until([&] { return (unowned = owned_by(pipe, survivors)).empty(); }, 20s))
      << unowned << logs();
  auto takeover = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - killed_at);
  // The lease runs out after at most 2 s; the survivors look for free leases about once a second.
  // The measure also holds a `log put` and `status` polls, which a busy machine slows: the bound
  // leaves room for that, and is still far below what a lost lease would take (never).
  EXPECT_LT(takeover, 12s) << "the " << held[victim] << " shards of " << victim << " took "
                           << takeover.count() << " ms to change hands";
  EXPECT_TRUE(wait_until(
      [&] { return (missing = exactly_once(put, read_file_target(dir / "out"))).empty(); }, 60s))
      << missing << logs();

  for (const auto& id : survivors) workers[id]->signal(SIGTERM);
  for (const auto& id : survivors) {
    auto exit_code = workers[id]->wait_for(20s);
    ASSERT_TRUE(exit_code.has_value()) << logs();
    EXPECT_EQ(*exit_code, 0) << logs();
  }

  // A last worker finds nothing left to do, and the checkpoints cover every record.
  auto final_run = run_until_idle(shardpipe_binary, pipe, "final", "1s");
  EXPECT_EQ(final_run.exit_code, 0) << final_run.out << final_run.err;
  EXPECT_EQ(exactly_once(put, read_file_target(dir / "out")), "");
  EXPECT_EQ(checkpointed_to_the_end(shardpipe_binary, pipe, put), "");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM shardpipe_leases WHERE pipe = 'pg-workers'"),
            std::to_string(shard_count));
  std::cout << "takeover of the " << held[victim] << " shards of " << victim
            << " after SIGKILL: " << takeover.count() << " ms\n";
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe::testing
