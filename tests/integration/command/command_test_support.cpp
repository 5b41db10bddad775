#include "command_test_support.hpp"

#include <csignal>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "core/json_text.hpp"

namespace shardpipe::command_testing {
namespace {

namespace fs = std::filesystem;

// A processor that exits makes our next write fail with EPIPE instead of killing the test, as
// shardpipe's main arranges for itself.
[[maybe_unused]] const bool sigpipe_ignored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

}  // namespace

fs::path example_processor(const std::string& language) {
  fs::path folder = fs::path(SHARDPIPE_SOURCE_DIR) / "examples" / "processors" / language;
  return folder / (language == "node" ? "processor.js" : "processor.py");
}

std::string interpreter(const std::string& language) {
  return language == "node" ? "node" : "python3";
}

fs::path test_processor(const std::string& file) {
  return fs::path(SHARDPIPE_SOURCE_DIR) / "tests" / "integration" / "command" / "processors" / file;
}

std::vector<Record> make_records(const std::string& shard_id, uint64_t first_sequence, int count,
                                 const std::function<std::string(int)>& data) {
  std::vector<Record> records;
  for (int i = 0; i < count; ++i) {
    Record record;
    record.ordinal = static_cast<uint64_t>(i);
    record.sequence_number = std::to_string(first_sequence + static_cast<uint64_t>(i));
    record.event_id = shard_id + ":" + record.sequence_number;
    record.partition_key = "key-" + std::to_string(i % 7);
    record.envelope = nlohmann::json{{"eventSource", "shardpipe:local"},
                                     {"eventID", record.event_id},
                                     {"eventName", "aws:kinesis:record"},
                                     {"partitionKey", record.partition_key},
                                     {"sequenceNumber", record.sequence_number},
                                     {"approximateArrivalTimestamp", 1767225600.25},
                                     {"data", base64_encode(data(i))}}
                          .dump();
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<Record> json_records(const std::string& shard_id, uint64_t first_sequence, int count) {
  return make_records(shard_id, first_sequence, count,
                      [](int i) { return "{\"n\":" + std::to_string(i) + "}"; });
}

std::unique_ptr<Target> command_target(const std::vector<std::string>& argv, const fs::path& dir,
                                       std::chrono::milliseconds timeout) {
  config::TargetConfig config;
  config.type = "command";
  config.command = argv;
  config.timeout = timeout;
  config.base_dir = dir;
  auto target = make_target(config);
  if (!target) throw std::runtime_error(target.error().message);
  return std::move(*target);
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<pid_t> started_pids(const fs::path& starts_file) {
  std::vector<pid_t> pids;
  for (const auto& line : lines_of(starts_file)) pids.push_back(std::stoi(line));
  return pids;
}

bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // "pid (name) state ...": the state follows the last ')'.
  auto close = text.rfind(')');
  return close == std::string::npos || text.substr(close + 2, 1) == "Z";
}

std::vector<std::string> event_ids(const std::vector<Record>& records) {
  std::vector<std::string> ids;
  for (const auto& record : records) ids.push_back(record.event_id);
  return ids;
}

}  // namespace shardpipe::command_testing
