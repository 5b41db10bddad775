// Mode insert against a real server: every eventID exactly once through SIGKILLs, a full replay
// and a database restart; a record the database refuses goes to the dead letters alone.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "local_pipe.hpp"
#include "postgres_pipe.hpp"
#include "postgres_server.hpp"

namespace shardpipe::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::vector<std::string> numbered_lines(int first, int count) {
  std::vector<std::string> lines;
  for (int i = first; i < first + count; ++i) {
    lines.push_back(fmt::format(R"({{"k":"key-{}","i":{}}})", i % 40, i));
  }
  return lines;
}

// Puts `total` numbered records in chunks, one chunk every `pause`, on a thread of its own.
class Producer {
 public:
  Producer(const fs::path& log_dir, int total, int chunk, std::chrono::milliseconds pause)
      : thread_([=, this] {
          try {
            for (int first = 0; first < total; first += chunk) {
              auto put = put_records(binary, log_dir, numbered_lines(first, chunk),
                                     {"--partition-key-field", "k"});
              std::lock_guard lock(mutex_);
              records_.insert(records_.end(), put.begin(), put.end());
              std::this_thread::sleep_for(pause);
            }
          } catch (const std::exception& e) {
            error_ = e.what();
          }
          done_ = true;
        }) {}
  ~Producer() {
    if (thread_.joinable()) thread_.join();
  }
  bool done() const { return done_; }
  std::vector<PutRecord> finish() {
    thread_.join();
    if (!error_.empty()) throw std::runtime_error(error_);
    return records_;
  }

 private:
  std::mutex mutex_;
  std::vector<PutRecord> records_;
  std::string error_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Rows in the events table; 0 before the pipe has created it.
int row_count(const PostgresServer& db) {
  if (db.scalar("SELECT to_regclass('events') IS NULL") == "t") return 0;
  return std::stoi(db.scalar("SELECT count(*) FROM events"));
}

// Empty when the table holds exactly the event IDs of `put`, each once, with its data.
std::string table_matches(const PostgresServer& db, const std::vector<PutRecord>& put) {
  std::set<std::string> expected;
  for (const auto& record : put)
    expected.insert(fmt::format("{}:{}", record.shard_id, record.sequence));
  auto rows = db.query(
      "SELECT event_id, record->>'eventID', record->'data'->>'i' FROM events ORDER BY event_id");
  std::set<std::string> seen_ids;
  std::set<std::string> seen_numbers;
  std::string problems;
  for (const auto& row : rows) {
    if (row[0] != row[1]) problems += fmt::format("row {} holds record {}\n", row[0], row[1]);
    if (!expected.contains(row[0])) problems += fmt::format("unexpected {}\n", row[0]);
    if (!seen_numbers.insert(row[2]).second) problems += fmt::format("record i={} twice\n", row[2]);
    seen_ids.insert(row[0]);
  }
  for (const auto& id : expected) {
    if (!seen_ids.contains(id)) problems += fmt::format("missing {}\n", id);
  }
  if (rows.size() != expected.size()) {
    problems += fmt::format("{} rows for {} records\n", rows.size(), expected.size());
  }
  return problems.substr(0, 2000);
}

TEST(PostgresInsert, EveryEventIdOnceThroughKillsAndAFullReplay) {
  constexpr int total = 3000;
  auto dir = fresh_test_dir("pg-insert-kills");
  PostgresServer db(dir);
  create_log(binary, dir / "log", 4);
  auto pipe = write_postgres_pipe(dir, {.dsn = db.dsn(), .batch_size = 20});

  std::mt19937 random(std::random_device{}());
  Producer producer(dir / "log", total, 100, 100ms);
  int kills = 0;
  int kills_during_delivery = 0;
  while ((!producer.done() || kills_during_delivery < 3) && kills < 40) {
    BackgroundProcess run({binary, "run", pipe.string(), "--worker-id", "w"}, dir / "run.log");
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(250, 700)(random)));
    auto rows = row_count(db);
    run.signal(SIGKILL);
    ASSERT_EQ(run.wait_for(10s), -SIGKILL) << run.output();
    ++kills;
    if (rows > 0 && rows < total) ++kills_during_delivery;
  }
  auto put = producer.finish();
  ASSERT_EQ(put.size(), static_cast<size_t>(total));
  std::printf("kills: %d (%d while delivering)\n", kills, kills_during_delivery);
  EXPECT_GE(kills_during_delivery, 3);

  auto final_run = run_until_idle(binary, pipe, "w");
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;
  EXPECT_EQ(db.scalar("SELECT count(*) = count(DISTINCT event_id) FROM events"), "t");
  EXPECT_EQ(table_matches(db, put), "");
  EXPECT_EQ(checkpointed_to_the_end(binary, pipe, put), "");

  // A full replay: rows deleted meanwhile come back, the others are neither duplicated nor
  // rewritten.
  db.query("DELETE FROM events WHERE (record->'data'->>'i')::int % 10 = 0");
  auto untouched = db.scalar("SELECT max(written_at) FROM events");
  auto reset =
      run_process({binary, "checkpoint", "set", pipe.string(), "--all", "--to", "TRIM_HORIZON"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  auto replay = run_until_idle(binary, pipe, "w");
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_EQ(table_matches(db, put), "");
  EXPECT_EQ(db.scalar("SELECT max(written_at) FROM events WHERE (record->'data'->>'i')::int % 10 "
                      "<> 0"),
            untouched);
}

TEST(PostgresInsert, ADatabaseRestartLosesAndDuplicatesNothing) {
  constexpr int total = 2000;
  auto dir = fresh_test_dir("pg-insert-restart");
  PostgresServer db(dir);
  create_log(binary, dir / "log", 4);
  auto pipe = write_postgres_pipe(dir, {.dsn = db.dsn(), .batch_size = 20});
  create_store(binary, pipe);

  BackgroundProcess run({binary, "run", pipe.string(), "--worker-id", "w"}, dir / "run.log");
  Producer producer(dir / "log", total, 100, 150ms);
  ASSERT_TRUE(wait_until([&] { return row_count(db) >= 300; }, 20s)) << run.output();
  auto before_stop = row_count(db);
  db.stop();
  EXPECT_LT(before_stop, total) << "the restart should come while records are delivered";
  std::this_thread::sleep_for(2s);
  EXPECT_TRUE(run.running()) << run.output();
  db.start();
  auto put = producer.finish();
  EXPECT_TRUE(wait_until([&] { return row_count(db) >= total; }, 30s)) << run.output();
  EXPECT_TRUE(run.running()) << run.output();
  EXPECT_EQ(table_matches(db, put), "");
  EXPECT_TRUE(wait_until([&] { return checkpointed_to_the_end(binary, pipe, put).empty(); }, 20s))
      << checkpointed_to_the_end(binary, pipe, put);
  run.signal(SIGTERM);
  EXPECT_EQ(run.wait_for(20s), 0) << run.output();
  // The pipe noticed: it lost the connection and made a new one.
  EXPECT_NE(run.output().find("connected to PostgreSQL again"), std::string::npos) << run.output();
}

TEST(PostgresInsert, ARecordTheDatabaseRefusesIsDeadLetteredAlone) {
  auto dir = fresh_test_dir("pg-insert-refused");
  PostgresServer db(dir);
  create_log(binary, dir / "log", 1);
  auto pipe = write_postgres_pipe(
      dir,
      {.dsn = db.dsn(), .batch_size = 50, .extra = "dead_letter:\n  type: file\n  path: ./dlq\n"});
  auto lines = numbered_lines(0, 20);
  // Valid JSON, but jsonb cannot hold a NUL character.
  lines[7] = R"({"k":"key-7","i":7,"text":"a\u0000b"})";
  auto put = put_records(binary, dir / "log", lines, {"--partition-key-field", "k"});

  auto done = run_until_idle(binary, pipe, "w");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  auto refused = fmt::format("{}:{}", put[7].shard_id, put[7].sequence);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM events"), "19");
  EXPECT_EQ(db.scalar(fmt::format("SELECT count(*) FROM events WHERE event_id = '{}'", refused)),
            "0");
  std::string dead_letters;
  for (const auto& file : fs::recursive_directory_iterator(dir / "dlq")) {
    if (file.is_regular_file()) dead_letters += read_file(file.path());
  }
  EXPECT_EQ(std::count(dead_letters.begin(), dead_letters.end(), '\n'), 1) << dead_letters;
  EXPECT_NE(dead_letters.find(refused), std::string::npos) << dead_letters;
  EXPECT_NE(dead_letters.find("PostgreSQL refused record"), std::string::npos) << dead_letters;
  EXPECT_EQ(checkpointed_to_the_end(binary, pipe, put), "");
}

}  // namespace
}  // namespace shardpipe::testing
