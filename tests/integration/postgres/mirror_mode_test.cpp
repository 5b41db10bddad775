// Mode mirror against a real server: 50 keys updated and deleted many times, the pipe killed and
// restarted, then replayed from TRIM_HORIZON. The table equals the final state of every key at
// the end, and no moment of the replay shows an older value or a deleted key back.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "local_pipe.hpp"
#include "postgres_pipe.hpp"
#include "postgres_server.hpp"

namespace shardpipe::testing {
namespace {

using namespace std::chrono_literals;

constexpr int key_count = 50;

// key -> value of every key that is not deleted, as the table's mirror view shows it.
std::map<std::string, std::string> mirror_view(const PostgresServer& db) {
  std::map<std::string, std::string> view;
  for (const auto& row : db.query("SELECT key, item->'data'->>'v' FROM events WHERE NOT deleted")) {
    view[row[0]] = row[1];
  }
  return view;
}

std::string describe_difference(const std::map<std::string, std::string>& expected,
                                const std::map<std::string, std::string>& actual) {
  std::string out;
  for (const auto& [key, value] : expected) {
    auto found = actual.find(key);
    if (found == actual.end()) {
      out += fmt::format("{} missing (expected {})\n", key, value);
    } else if (found->second != value) {
      out += fmt::format("{} is {} (expected {})\n", key, found->second, value);
    }
  }
  for (const auto& [key, value] : actual) {
    if (!expected.contains(key)) out += fmt::format("{} is {} but was deleted\n", key, value);
  }
  return out;
}

TEST(PostgresMirror, TheTableIsTheFinalStateThroughKillsAndReplays) {
  auto dir = fresh_test_dir("pg-mirror");
  PostgresServer db(dir);
  create_log(binary, dir / "log", 4);
  auto pipe = write_postgres_pipe(dir, {.dsn = db.dsn(), .mode = "mirror", .batch_size = 10});

  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> any_key(0, key_count - 1);
  std::map<std::string, std::optional<std::string>> state;  // nullopt: deleted
  int value = 0;
  int kills = 0;
  std::optional<BackgroundProcess> run;
  for (int round = 0; round < 20; ++round) {
    if (!run)
      run.emplace(std::vector<std::string>{binary, "run", pipe.string(), "--worker-id", "w"},
                  dir / "run.log");
    std::vector<std::string> updates;
    for (int i = 0; i < 150; ++i) {
      auto key = fmt::format("key-{}", any_key(random));
      updates.push_back(fmt::format(R"({{"k":"{}","v":{}}})", key, ++value));
      state[key] = std::to_string(value);
    }
    put_records(binary, dir / "log", updates, {"--partition-key-field", "k"});
    for (int i = 0; i < 3; ++i) {
      auto key = fmt::format("key-{}", any_key(random));
      put_records(binary, dir / "log", {"null"}, {"--partition-key", key});
      state[key] = std::nullopt;
    }
    if (round % 4 == 3) {
      run->signal(SIGKILL);
      ASSERT_EQ(run->wait_for(10s), -SIGKILL) << run->output();
      run.reset();
      ++kills;
    }
  }
  run.reset();
  std::map<std::string, std::string> expected;
  size_t deleted = 0;
  for (const auto& [key, item] : state) {
    if (item) {
      expected[key] = *item;
    } else {
      ++deleted;
    }
  }
  ASSERT_GT(deleted, 0u);

  auto final_run = run_until_idle(binary, pipe, "w");
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;
  EXPECT_EQ(describe_difference(expected, mirror_view(db)), "");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM events WHERE deleted AND item IS NULL"),
            std::to_string(deleted));

  // Replay everything while watching the table: it must never go back in time. Two rows are
  // removed by hand first (their keys are rebuilt from older values, so they are not watched):
  // the replay shows that it ran by bringing them back.
  std::set<std::string> removed;
  for (const auto& row : db.query("SELECT key FROM events ORDER BY key LIMIT 2"))
    removed.insert(row[0]);
  for (const auto& key : removed) db.query(fmt::format("DELETE FROM events WHERE key = '{}'", key));
  auto reset =
      run_process({binary, "checkpoint", "set", pipe.string(), "--all", "--to", "TRIM_HORIZON"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  BackgroundProcess replay(
      {binary, "run", pipe.string(), "--worker-id", "w", "--stop-when-idle", "1s"},
      dir / "replay.log");
  int snapshots = 0;
  std::string went_back;
  while (replay.running() && snapshots < 2000) {
    auto view = mirror_view(db);
    ++snapshots;
    for (const auto& [key, item] : view) {
      if (removed.contains(key)) continue;
      auto found = expected.find(key);
      if (found == expected.end() || found->second != item) {
        went_back += fmt::format("snapshot {}: {} = {}\n", snapshots, key, item);
      }
    }
    if (went_back.size() > 2000) break;
  }
  ASSERT_EQ(replay.wait_for(60s), 0) << replay.output();
  std::printf("kills: %d, snapshots during the replay: %d\n", kills, snapshots);
  EXPECT_GE(snapshots, 3);
  EXPECT_EQ(went_back, "");
  EXPECT_EQ(describe_difference(expected, mirror_view(db)), "");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM events WHERE deleted AND item IS NULL"),
            std::to_string(deleted));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM events"), std::to_string(state.size()));
}

}  // namespace
}  // namespace shardpipe::testing
