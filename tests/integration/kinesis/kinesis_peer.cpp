#include "kinesis_peer.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "local_pipe.hpp"

namespace shardpipe::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path peers_dir() {
  return fs::path(SHARDPIPE_SOURCE_DIR) / "tests" / "peers" / "kinesis";
}

// The tool's "<shardId> <sequenceNumber> <data>" lines, one per record put; `count` of them.
std::vector<KinesisPut> parse_put_lines(std::istream& lines, int count) {
  std::vector<KinesisPut> put;
  for (std::string line; std::getline(lines, line);) {
    auto first_space = line.find(' ');
    auto second_space = line.find(' ', first_space + 1);
    if (second_space == std::string::npos) throw std::runtime_error("bad put line: " + line);
    put.push_back({line.substr(0, first_space),
                   line.substr(first_space + 1, second_space - first_space - 1),
                   line.substr(second_space + 1)});
  }
  if (put.size() != static_cast<size_t>(count)) {
    throw std::runtime_error(fmt::format("put {} records, expected {}", put.size(), count));
  }
  return put;
}

}  // namespace

ListeningPeer start_kinesalite(const fs::path& dir) {
  return ListeningPeer({"/usr/bin/env", "node", (peers_dir() / "kinesalite_server.js").string()},
                       dir / "kinesalite.log");
}

namespace {

// A port nobody listens on now, whose next port is free too.
int free_port_pair() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int probe = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
    int port = ntohs(address.sin_port);
    ::close(probe);
    int next = ::socket(AF_INET, SOCK_STREAM, 0);
    address.sin_port = htons(static_cast<uint16_t>(port + 1));
    bool next_free =
        port < 65535 && ::bind(next, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(next);
    if (next_free) return port;
  }
  throw std::runtime_error("no free pair of ports on 127.0.0.1");
}

}  // namespace

ListeningPeer start_kinesis_local(const fs::path& dir) {
  return ListeningPeer({"/usr/bin/env", "node", (peers_dir() / "kinesis_local_server.js").string(),
                        std::to_string(free_port_pair())},
                       dir / "kinesis-local.log");
}

ListeningPeer start_fault_proxy(const fs::path& dir, int upstream_port, int expire_every,
                                int throttle_every, int expire_first) {
  return ListeningPeer(
      {"/usr/bin/env", "node", (peers_dir() / "fault_proxy.js").string(),
       std::to_string(upstream_port), "--expire-every", std::to_string(expire_every),
       "--throttle-every", std::to_string(throttle_every), "--expire-first",
       std::to_string(expire_first), "--stats", (dir / "proxy-stats.json").string()},
      dir / "proxy.log");
}

std::string kinesis_tool(const std::string& endpoint, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/env", "node",
                                   (peers_dir() / "kinesis_tool.js").string(), endpoint};
  argv.insert(argv.end(), args.begin(), args.end());
  auto done = run_process_for(300s, argv);
  if (done.exit_code != 0) {
    throw std::runtime_error(
        fmt::format("kinesis_tool {} failed ({}): {}", args.at(0), done.exit_code, done.err));
  }
  return done.out;
}

void create_stream(const std::string& endpoint, const std::string& stream, int shards) {
  kinesis_tool(endpoint, {"create", stream, std::to_string(shards)});
}

std::vector<KinesisPut> put_records(const std::string& endpoint, const std::string& stream,
                                    int count, int keys, int first, int batch) {
  std::istringstream lines(
      kinesis_tool(endpoint, {"put", stream, std::to_string(count), std::to_string(keys),
                              std::to_string(first), std::to_string(batch)}));
  return parse_put_lines(lines, count);
}

std::vector<KinesisPut> put_aggregated(const std::string& endpoint, const std::string& stream,
                                       int count, int keys, int first, int per_aggregate) {
  std::istringstream lines(
      kinesis_tool(endpoint, {"put-aggregated", stream, std::to_string(count), std::to_string(keys),
                              std::to_string(first), std::to_string(per_aggregate)}));
  return parse_put_lines(lines, count);
}

nlohmann::json list_shards(const std::string& endpoint, const std::string& stream) {
  return nlohmann::json::parse(kinesis_tool(endpoint, {"shards", stream}));
}

std::vector<KinesisDelivered> read_kinesis_target(const fs::path& out_dir) {
  std::vector<KinesisDelivered> delivered;
  for (const auto& file : file_target_files(out_dir)) {
    std::ifstream in(file);
    std::string line;
    auto written = fs::last_write_time(file);
    while (std::getline(in, line)) {
      auto envelope = nlohmann::json::parse(line);
      delivered.push_back({file.parent_path().filename().string(), envelope,
                           decode_base64(envelope.at("data").get<std::string>()), file, written});
    }
  }
  return delivered;
}

std::string exactly_once(const std::vector<KinesisPut>& put,
                         const std::vector<KinesisDelivered>& delivered) {
  std::map<std::string, int> seen;
  for (const auto& record : delivered) seen[record.data]++;
  std::set<std::string> expected;
  std::string problems;
  int missing = 0, duplicated = 0, unexpected = 0;
  for (const auto& record : put) {
    expected.insert(record.data);
    auto count = seen.count(record.data) ? seen[record.data] : 0;
    if (count == 0 && ++missing <= 5) problems += "missing " + record.data + "\n";
    if (count > 1 && ++duplicated <= 5) {
      problems += fmt::format("{} times: {}\n", count, record.data);
    }
  }
  for (const auto& [data, count] : seen) {
    if (!expected.contains(data) && ++unexpected <= 5) problems += "unexpected " + data + "\n";
  }
  if (missing + duplicated + unexpected > 0) {
    problems += fmt::format("({} put, {} delivered: {} missing, {} duplicated, {} unexpected)",
                            put.size(), delivered.size(), missing, duplicated, unexpected);
  }
  return problems;
}

void use_test_credentials(const std::string& secret) {
  ::setenv("AWS_ACCESS_KEY_ID", "AKIDSHARDPIPETEST", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", secret.c_str(), 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  ::setenv("AWS_REGION", "us-east-1", 1);
}

}  // namespace shardpipe::testing
