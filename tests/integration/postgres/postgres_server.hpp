// A real PostgreSQL server for one test: a fresh cluster (initdb, trust authentication) on
// 127.0.0.1 and a free port, started here and stopped, its folder removed, when the object goes.
// Started as the `postgres` user when the test runs as root (initdb refuses root).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace shardpipe::testing {

class PostgresServer {
 public:
  // Creates the cluster under `dir`/pg and starts it; throws when either fails.
  explicit PostgresServer(const std::filesystem::path& dir);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // pg_ctl stop -m fast: clients are disconnected at once. Throws when it fails.
  void stop();
  // pg_ctl start -w: back on the same port. Throws when it fails.
  void start();

  int port() const { return port_; }
  // The cluster's folder (postgresql.conf, pg_hba.conf, ...).
  std::filesystem::path data_dir() const { return root_ / "data"; }
  // postgresql://postgres@127.0.0.1:PORT/postgres
  std::string dsn() const;

  // Every row of `sql`'s answer, values as text ("NULL" for a null). Throws on any error.
  std::vector<std::vector<std::string>> query(const std::string& sql) const;
  // The one value of `sql`'s answer.
  std::string scalar(const std::string& sql) const;

 private:
  std::vector<std::string> as_server_user(std::vector<std::string> argv) const;
  void run_checked(const std::vector<std::string>& argv) const;

  std::filesystem::path root_;  // owned by the server's user: data and log
  int port_ = 0;
  bool running_ = false;
};

}  // namespace shardpipe::testing
