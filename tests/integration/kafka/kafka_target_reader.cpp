#include "kafka_target_reader.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "process.hpp"

namespace shardpipe::testing {
namespace {

using namespace std::chrono_literals;

// The test support runs programs without a PATH search: kcat is looked up here.
std::string kcat_program() {
  static const std::string program = [] {
    const char* path = std::getenv("PATH");
    std::istringstream folders(path ? path : "/usr/bin:/bin");
    for (std::string folder; std::getline(folders, folder, ':');) {
      auto candidate = std::filesystem::path(folder) / "kcat";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    throw std::runtime_error("kcat not found on PATH");
  }();
  return program;
}

std::map<std::string, std::string> parse_headers(const std::string& text) {
  std::map<std::string, std::string> headers;
  std::istringstream pairs(text);
  for (std::string pair; std::getline(pairs, pair, ',');) {
    auto equals = pair.find('=');
    if (equals == std::string::npos) continue;
    headers[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  return headers;
}

}  // namespace

std::vector<ProducedMessage> read_topic(const std::string& bootstraps, const std::string& topic) {
  // One line per message (partition, offset, key and value lengths, headers), then the key and
  // value bytes: keys and values may hold anything (-1: none).
  auto done = run_process_for(60s, {kcat_program(), "-C", "-b", bootstraps, "-t", topic, "-o",
                                    "beginning", "-e", "-q", "-f", "%p %o %K %S %h\n%k%s"});
  if (done.exit_code != 0) {
    throw std::runtime_error(fmt::format("kcat -C exited {}: {}", done.exit_code, done.err));
  }
  std::vector<ProducedMessage> messages;
  const std::string& out = done.out;
  size_t at = 0;
  while (at < out.size()) {
    const auto line_end = out.find('\n', at);
    if (line_end == std::string::npos) break;
    const std::string line = out.substr(at, line_end - at);
    ProducedMessage message;
    long long key_length = 0;
    long long value_length = 0;
    int consumed = 0;
    if (std::sscanf(line.c_str(), "%d %ld %lld %lld%n", &message.partition, &message.offset,
                    &key_length, &value_length, &consumed) != 4) {
      throw std::runtime_error("kcat -C: unexpected line: " + line);
    }
    auto headers = line.substr(static_cast<size_t>(consumed));
    headers.erase(0, headers.find_first_not_of(' '));
    message.headers = parse_headers(headers);
    at = line_end + 1;
    const size_t key_size = key_length > 0 ? static_cast<size_t>(key_length) : 0;
    const size_t value_size = value_length > 0 ? static_cast<size_t>(value_length) : 0;
    message.key = out.substr(at, key_size);
    at += key_size;
    message.value = out.substr(at, value_size);
    at += value_size;
    messages.push_back(std::move(message));
  }
  std::ranges::stable_sort(messages, [](const auto& a, const auto& b) {
    return std::pair(a.partition, a.offset) < std::pair(b.partition, b.offset);
  });
  return messages;
}

}  // namespace shardpipe::testing
