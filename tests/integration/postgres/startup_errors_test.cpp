// A pipe whose database cannot be used stops at once with a message that says why, and never
// shows the password of its DSN.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "free_port.hpp"
#include "postgres_pipe.hpp"
#include "postgres_server.hpp"

namespace shardpipe::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* password = "hunter2-Secret";

Completed run_pipe(const std::filesystem::path& dir, const PostgresPipe& settings) {
  run_process({binary, "log", "create", (dir / "log").string(), "--shards", "1"});
  auto pipe = write_postgres_pipe(dir, settings);
  return run_process_for(60s, {binary, "run", pipe.string(), "--stop-when-idle", "1s"});
}

void expect_clear_failure(const Completed& run, std::initializer_list<std::string_view> says) {
  EXPECT_NE(run.exit_code, 0);
  EXPECT_FALSE(run.timed_out);
  for (auto part : says) {
    EXPECT_NE(run.err.find(part), std::string::npos) << "missing '" << part << "' in " << run.err;
  }
  EXPECT_EQ((run.out + run.err).find(password), std::string::npos) << run.out << run.err;
}

TEST(PostgresStartup, AnUnreachableServerIsAClearError) {
  auto dir = fresh_test_dir("pg-unreachable");
  int port = unused_port();
  auto run =
      run_pipe(dir, {.dsn = fmt::format("postgresql://app:{}@127.0.0.1:{}/shop", password, port)});
  expect_clear_failure(run, {"cannot connect to PostgreSQL", fmt::format("port {}", port),
                             "database shop", "user app"});
}

TEST(PostgresStartup, AMissingDatabaseIsAClearError) {
  auto dir = fresh_test_dir("pg-missing-db");
  PostgresServer db(dir);
  auto run = run_pipe(
      dir, {.dsn = fmt::format("host=127.0.0.1 port={} dbname=nosuchdb user=postgres password={}",
                               db.port(), password)});
  expect_clear_failure(run, {"cannot connect to PostgreSQL", "nosuchdb", "does not exist"});
}

TEST(PostgresStartup, AWrongPasswordIsAClearError) {
  auto dir = fresh_test_dir("pg-wrong-password");
  PostgresServer db(dir);
  // The role `app` must give a password over TCP; everyone else is still trusted.
  auto hba = db.data_dir() / "pg_hba.conf";
  write_file(hba, "host all app 127.0.0.1/32 scram-sha-256\n" + read_file(hba));
  db.query("CREATE ROLE app LOGIN PASSWORD 'the-right-one'");
  db.query("SELECT pg_reload_conf()");
  auto run = run_pipe(
      dir, {.dsn = fmt::format("postgresql://app:{}@127.0.0.1:{}/postgres", password, db.port())});
  expect_clear_failure(
      run, {"cannot connect to PostgreSQL", "password authentication failed", "user app"});
}

TEST(PostgresStartup, AnUnreadableDsnOrTableNameIsAClearError) {
  auto dir = fresh_test_dir("pg-bad-dsn");
  auto unreadable =
      run_pipe(dir, {.dsn = fmt::format("host=127.0.0.1 password {} port=5432", password)});
  expect_clear_failure(unreadable, {"target.dsn is not a valid PostgreSQL connection string"});

  PostgresServer db(dir);
  auto bad_table = run_pipe(dir, {.dsn = db.dsn(), .table = "events; DROP TABLE x"});
  expect_clear_failure(bad_table, {"target.table"});
}

TEST(PostgresStartup, ATableThatCannotTakeTheRowsIsAClearError) {
  auto dir = fresh_test_dir("pg-wrong-table");
  PostgresServer db(dir);
  db.query("CREATE TABLE events (event_id text PRIMARY KEY, payload text NOT NULL)");
  auto run = run_pipe(dir, {.dsn = db.dsn()});
  expect_clear_failure(run, {"table events", "payload"});
  db.query("ALTER TABLE events ALTER COLUMN payload DROP NOT NULL");
  auto again = run_pipe(dir, {.dsn = db.dsn()});
  expect_clear_failure(again, {"table events", "cannot take the rows of mode insert", "shard_id"});
}

}  // namespace
}  // namespace shardpipe::testing
