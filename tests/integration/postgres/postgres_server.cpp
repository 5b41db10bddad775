#include "postgres_server.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <stdexcept>

#include "free_port.hpp"
#include "process.hpp"

namespace shardpipe::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path server_bin = SHARDPIPE_POSTGRES_BIN_DIR;
constexpr const char* server_user = "postgres";

}  // namespace

std::vector<std::string> PostgresServer::as_server_user(std::vector<std::string> argv) const {
  if (::geteuid() != 0) return argv;
  argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", server_user, "--"});
  return argv;
}

void PostgresServer::run_checked(const std::vector<std::string>& argv) const {
  auto done = run_process_for(90s, as_server_user(argv));
  if (done.exit_code != 0) {
    throw std::runtime_error(fmt::format("{} failed ({}): {}{}\n{}", argv.front(), done.exit_code,
                                         done.out, done.err, read_file(root_ / "server.log")));
  }
}

PostgresServer::PostgresServer(const fs::path& dir) : root_(dir / "pg") {
  fs::create_directories(root_);
  if (::geteuid() == 0) {
    const passwd* user = ::getpwnam(server_user);
    if (user == nullptr || ::chown(root_.c_str(), user->pw_uid, user->pw_gid) != 0) {
      throw std::runtime_error("cannot hand the server's folder to the postgres user");
    }
  }
  port_ = unused_port();
  run_checked({(server_bin / "initdb").string(), "-D", (root_ / "data").string(), "-A", "trust",
               "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"});
  start();
}

PostgresServer::~PostgresServer() {
  if (running_) {
    run_process_for(
        60s, as_server_user({(server_bin / "pg_ctl").string(), "-D", (root_ / "data").string(),
                             "-m", "immediate", "-w", "stop"}));
  }
  // A cluster takes about 40 MB: do not leave one behind per test.
  std::error_code ignored;
  fs::remove_all(root_, ignored);
}

void PostgresServer::start() {
  run_checked({(server_bin / "pg_ctl").string(), "-D", (root_ / "data").string(), "-l",
               (root_ / "server.log").string(), "-o",
               fmt::format("-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off", port_,
                           (root_ / "data").string()),
               "-w", "-t", "60", "start"});
  running_ = true;
}

void PostgresServer::stop() {
  run_checked({(server_bin / "pg_ctl").string(), "-D", (root_ / "data").string(), "-m", "fast",
               "-w", "stop"});
  running_ = false;
}

std::string PostgresServer::dsn() const {
  return fmt::format("postgresql://postgres@127.0.0.1:{}/postgres", port_);
}

std::vector<std::vector<std::string>> PostgresServer::query(const std::string& sql) const {
  std::unique_ptr<PGconn, decltype(&PQfinish)> connection(PQconnectdb(dsn().c_str()), &PQfinish);
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    throw std::runtime_error(fmt::format("cannot connect: {}", PQerrorMessage(connection.get())));
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection.get(), sql.c_str()),
                                                       &PQclear);
  auto status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw std::runtime_error(fmt::format("{} failed: {}", sql, PQresultErrorMessage(result.get())));
  }
  std::vector<std::vector<std::string>> rows;
  for (int row = 0; row < PQntuples(result.get()); ++row) {
    auto& values = rows.emplace_back();
    for (int column = 0; column < PQnfields(result.get()); ++column) {
      values.emplace_back(
          PQgetisnull(result.get(), row, column) ? "NULL" : PQgetvalue(result.get(), row, column));
    }
  }
  return rows;
}

std::string PostgresServer::scalar(const std::string& sql) const {
  auto rows = query(sql);
  if (rows.size() != 1 || rows.front().size() != 1) {
    throw std::runtime_error(fmt::format("{} did not answer one value", sql));
  }
  return rows.front().front();
}

}  // namespace shardpipe::testing
