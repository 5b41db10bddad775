#include "dynamodb_peer.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "network_namespace.hpp"

namespace shardpipe::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path peers_dir() {
  return fs::path(SHARDPIPE_SOURCE_DIR) / "tests" / "peers" / "dynamodb";
}

// A port nobody listens on in this namespace, nor on loopback in the original one (so that the
// server being unreachable from there is a meaningful check).
int free_port() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int probe = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ::close(probe);
      continue;
    }
    int port = ntohs(address.sin_port);
    ::close(probe);
    bool used_outside = false;
    run_in_original_network_namespace([&] { used_outside = loopback_port_accepts(port); });
    if (!used_outside) return port;
  }
  throw std::runtime_error("no free port on 127.0.0.1");
}

// The pid of `parent`'s child running `name`, or 0.
pid_t child_named(pid_t parent, const std::string& name) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    // pid (comm) state ppid ...
    auto close = stat.rfind(')');
    auto open = stat.find('(');
    if (close == std::string::npos || open == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && stat.substr(open + 1, close - open - 1) == name) {
      return static_cast<pid_t>(std::stol(stat.substr(0, open)));
    }
  }
  return 0;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace

DynamoDbLocal::DynamoDbLocal(const fs::path& dir) {
  if (!in_private_network_namespace()) {
    throw std::runtime_error(
        "DynamoDB Local listens on every interface: call enter_private_network_namespace() "
        "before starting it");
  }
  port_ = free_port();
  auto started = std::chrono::steady_clock::now();
  // The parent-death signal ends the script (and so Java) if this program dies without
  // stopping it.
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"/usr/bin/setpriv", "--pdeathsig", "KILL", "--", "/usr/bin/env",
                               "bash", (peers_dir() / "dynamodb_local.sh").string(),
                               std::to_string(port_)},
      dir / "dynamodb-local.log");
  auto deadline = started + 180s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (process_->output().find("listening " + std::to_string(port_) + "\n") != std::string::npos) {
      startup_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      return;
    }
    if (!process_->running()) {
      throw std::runtime_error("dynamodb_local.sh exited: " + process_->output());
    }
    std::this_thread::sleep_for(50ms);
  }
  throw std::runtime_error("DynamoDB Local did not start within 180 s: " + process_->output());
}

DynamoDbLocal::~DynamoDbLocal() {
  if (process_ && process_->running()) {
    process_->signal(SIGTERM);
    process_->wait_for(20s);
  }
}

long DynamoDbLocal::resident_kib() const {
  pid_t java = child_named(process_->pid(), "java");
  if (java == 0) return 0;
  std::ifstream in(fs::path("/proc") / std::to_string(java) / "status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

namespace {
std::unique_ptr<DynamoDbLocal> shared_server;
}  // namespace

DynamoDbLocal& shared_dynamodb_local() {
  if (!shared_server) {
    shared_server = std::make_unique<DynamoDbLocal>(fresh_test_dir("dynamodb-local-shared"));
  }
  return *shared_server;
}

void stop_shared_dynamodb_local() {
  shared_server.reset();
}

ListeningPeer start_streams_fault_proxy(const fs::path& dir, int upstream_port,
                                        const std::vector<std::string>& faults) {
  std::vector<std::string> argv = {"/usr/bin/env", "node",
                                   (peers_dir() / "streams_fault_proxy.js").string(),
                                   std::to_string(upstream_port)};
  argv.insert(argv.end(), faults.begin(), faults.end());
  argv.insert(argv.end(), {"--stats", (dir / "proxy-stats.json").string()});
  return ListeningPeer(argv, dir / "proxy.log");
}

std::vector<std::string> dynamodb_tool_command(const std::string& endpoint,
                                               const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/env", "node",
                                   (peers_dir() / "dynamodb_tool.js").string(), endpoint};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::string dynamodb_tool(const std::string& endpoint, const std::vector<std::string>& args) {
  auto done = run_process_for(300s, dynamodb_tool_command(endpoint, args));
  if (done.exit_code != 0) {
    throw std::runtime_error(
        fmt::format("dynamodb_tool {} failed ({}): {}", args.at(0), done.exit_code, done.err));
  }
  return done.out;
}

std::string create_table(const std::string& endpoint, const std::string& table,
                         const std::string& view) {
  auto lines = lines_of(dynamodb_tool(endpoint, {"create-table", table, "--view", view}));
  if (lines.size() != 1) throw std::runtime_error("create-table printed no stream ARN");
  return lines[0];
}

std::vector<DynamoDbPut> put_items(const std::string& endpoint, const std::string& table, int count,
                                   int keys, int first) {
  std::vector<DynamoDbPut> put;
  for (const auto& line :
       lines_of(dynamodb_tool(endpoint, {"put", table, std::to_string(count), std::to_string(keys),
                                         std::to_string(first)}))) {
    auto space = line.find(' ');
    if (space == std::string::npos) throw std::runtime_error("bad put line: " + line);
    put.push_back({line.substr(0, space), line.substr(space + 1)});
  }
  if (put.size() != static_cast<size_t>(count)) {
    throw std::runtime_error(fmt::format("put {} items, expected {}", put.size(), count));
  }
  return put;
}

nlohmann::json update_item(const std::string& endpoint, const std::string& table,
                           const std::string& pk, const std::string& sk) {
  return nlohmann::json::parse(dynamodb_tool(endpoint, {"update", table, pk, sk}));
}

void delete_item(const std::string& endpoint, const std::string& table, const std::string& pk,
                 const std::string& sk) {
  dynamodb_tool(endpoint, {"delete", table, pk, sk});
}

void disable_stream(const std::string& endpoint, const std::string& table) {
  dynamodb_tool(endpoint, {"disable-stream", table});
}

nlohmann::json describe_stream(const std::string& endpoint, const std::string& stream_arn) {
  return nlohmann::json::parse(dynamodb_tool(endpoint, {"describe-stream", stream_arn}));
}

std::vector<StreamRecord> stream_records(const std::string& endpoint,
                                         const std::string& stream_arn) {
  std::vector<StreamRecord> records;
  for (auto& line : lines_of(dynamodb_tool(endpoint, {"stream-records", stream_arn}))) {
    auto json = nlohmann::json::parse(line);
    records.push_back({std::move(line), std::move(json)});
  }
  return records;
}

}  // namespace shardpipe::testing
