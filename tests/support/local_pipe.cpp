#include "local_pipe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/json_text.hpp"
#include "process.hpp"

namespace shardpipe::testing {

namespace fs = std::filesystem;

void create_log(const std::string& binary, const fs::path& log_dir, int shards) {
  auto created = run_process_for(
      std::chrono::seconds(30),
      {binary, "log", "create", log_dir.string(), "--shards", std::to_string(shards)});
  if (created.exit_code != 0) {
    throw std::runtime_error(
        fmt::format("log create exited {}: {}", created.exit_code, created.err));
  }
}

void create_store(const std::string& binary, const fs::path& pipe_file) {
  checkpoints(binary, pipe_file);
}

Completed run_until_idle(const std::string& binary, const fs::path& pipe_file,
                         const std::string& worker, const std::string& idle) {
  return run_process_for(
      std::chrono::seconds(60),
      {binary, "run", pipe_file.string(), "--worker-id", worker, "--stop-when-idle", idle});
}

std::vector<PutRecord> put_records(const std::string& binary, const fs::path& log_dir,
                                   const std::vector<std::string>& lines,
                                   const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {binary, "log", "put", log_dir.string(), "--verbose"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  std::string input;
  for (const auto& line : lines) input += line + '\n';
  auto put = run_process_for(std::chrono::seconds(60), argv, input);
  if (put.exit_code != 0) {
    throw std::runtime_error(fmt::format("log put exited {}: {}", put.exit_code, put.err));
  }
  std::vector<PutRecord> records;
  std::istringstream out(put.out);
  for (std::string line; std::getline(out, line);) {
    std::istringstream fields(line);
    PutRecord record;
    if (!(fields >> record.shard_id >> record.sequence)) {
      throw std::runtime_error("log put --verbose printed an unexpected line: " + line);
    }
    if (records.size() >= lines.size())
      throw std::runtime_error("log put --verbose printed too many lines");
    record.data = lines[records.size()];
    records.push_back(std::move(record));
  }
  if (records.size() != lines.size()) {
    throw std::runtime_error(fmt::format("log put --verbose printed {} lines for {} records",
                                         records.size(), lines.size()));
  }
  return records;
}

std::vector<fs::path> file_target_files(const fs::path& out_dir) {
  std::vector<fs::path> files;
  if (!fs::exists(out_dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(out_dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".jsonl")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<DeliveredRecord> read_file_target(const fs::path& out_dir) {
  std::vector<DeliveredRecord> delivered;
  for (const auto& file : file_target_files(out_dir)) {
    std::istringstream lines(read_file(file));
    for (std::string line; std::getline(lines, line);) {
      DeliveredRecord record;
      record.shard_id = file.parent_path().filename().string();
      record.file = file;
      try {
        record.envelope = nlohmann::json::parse(line);
        record.sequence = std::stoull(record.envelope.at("sequenceNumber").get<std::string>());
        if (!base64_decode(record.envelope.at("data").get<std::string>(), record.data)) {
          throw std::runtime_error("data is not base64");
        }
      } catch (const std::exception& e) {
        throw std::runtime_error(
            fmt::format("{}: not an envelope ({}): {}", file.string(), e.what(), line));
      }
      delivered.push_back(std::move(record));
    }
  }
  return delivered;
}

std::vector<fs::path> stray_files(const fs::path& out_dir) {
  std::vector<fs::path> stray;
  if (!fs::exists(out_dir)) return stray;
  for (const auto& entry : fs::recursive_directory_iterator(out_dir)) {
    if (!entry.is_directory() && entry.path().extension() != ".jsonl")
      stray.push_back(entry.path());
  }
  return stray;
}

std::string exactly_once(const std::vector<PutRecord>& expected,
                         const std::vector<DeliveredRecord>& delivered) {
  std::map<std::pair<std::string, uint64_t>, const PutRecord*> wanted;
  for (const auto& record : expected) wanted[{record.shard_id, record.sequence}] = &record;
  std::map<std::pair<std::string, uint64_t>, int> seen;
  std::string problems;
  int reported = 0;
  auto report = [&](const std::string& problem) {
    if (++reported <= 20) problems += problem + "\n";
  };
  for (const auto& record : delivered) {
    auto key = std::make_pair(record.shard_id, record.sequence);
    if (++seen[key] == 2) report(fmt::format("duplicate: {} {}", record.shard_id, record.sequence));
    auto found = wanted.find(key);
    if (found == wanted.end()) {
      report(fmt::format("unexpected: {} {} ({})", record.shard_id, record.sequence, record.data));
    } else if (found->second->data != record.data) {
      report(fmt::format("altered: {} {}: put '{}', delivered '{}'", record.shard_id,
                         record.sequence, found->second->data, record.data));
    }
  }
  for (const auto& record : expected) {
    if (!seen.contains({record.shard_id, record.sequence})) {
      report(fmt::format("missing: {} {} ({})", record.shard_id, record.sequence, record.data));
    }
  }
  if (reported > 20) problems += fmt::format("... and {} more\n", reported - 20);
  if (!problems.empty()) {
    problems =
        fmt::format("expected {} records, delivered {}:\n", expected.size(), delivered.size()) +
        problems;
  }
  return problems;
}

std::map<std::string, std::string> checkpoints(const std::string& binary,
                                               const fs::path& pipe_file) {
  auto listed = run_process_for(std::chrono::seconds(30),
                                {binary, "checkpoint", "list", pipe_file.string(), "--json"});
  if (listed.exit_code != 0) {
    throw std::runtime_error(
        fmt::format("checkpoint list exited {}: {}", listed.exit_code, listed.err));
  }
  std::map<std::string, std::string> result;
  auto json = nlohmann::json::parse(listed.out);
  for (const auto& row : json.at("checkpoints")) {
    result[row.at("shardId").get<std::string>()] =
        row.at("checkpoint").is_null() ? std::string() : row.at("checkpoint").get<std::string>();
  }
  return result;
}

nlohmann::json status_json(const std::string& binary, const fs::path& pipe_file) {
  auto status =
      run_process_for(std::chrono::seconds(30), {binary, "status", pipe_file.string(), "--json"});
  if (status.exit_code != 0) {
    throw std::runtime_error(fmt::format("status exited {}: {}", status.exit_code, status.err));
  }
  return nlohmann::json::parse(status.out);
}

bool is_sequence(const std::string& checkpoint) {
  return !checkpoint.empty() && std::all_of(checkpoint.begin(), checkpoint.end(),
                                            [](char c) { return c >= '0' && c <= '9'; });
}

std::string checkpoints_covered(const std::vector<PutRecord>& put,
                                const std::vector<DeliveredRecord>& delivered,
                                const std::map<std::string, std::string>& checkpoints) {
  std::set<std::pair<std::string, uint64_t>> present;
  for (const auto& record : delivered) present.insert({record.shard_id, record.sequence});
  std::string problems;
  for (const auto& record : put) {
    auto found = checkpoints.find(record.shard_id);
    if (found == checkpoints.end() || !is_sequence(found->second)) continue;
    if (record.sequence <= std::stoull(found->second) &&
        !present.contains({record.shard_id, record.sequence})) {
      problems += fmt::format("{} is checkpointed at {} but record {} is not delivered\n",
                              record.shard_id, found->second, record.sequence);
    }
  }
  return problems;
}

std::string checkpointed_to_the_end(const std::string& binary, const fs::path& pipe_file,
                                    const std::vector<PutRecord>& put) {
  std::map<std::string, uint64_t> last;
  for (const auto& record : put) {
    last[record.shard_id] = std::max(last[record.shard_id], record.sequence);
  }
  auto stored = checkpoints(binary, pipe_file);
  std::string problems;
  for (const auto& [shard, sequence] : last) {
    if (stored[shard] != std::to_string(sequence)) {
      problems += fmt::format("{} is checkpointed at '{}', not at its last record {}\n", shard,
                              stored[shard], sequence);
    }
  }
  return problems;
}

std::map<std::string, std::string> file_tree(const fs::path& dir) {
  std::map<std::string, std::string> tree;
  if (!fs::exists(dir)) return tree;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file())
      tree[fs::relative(entry.path(), dir).string()] = read_file(entry.path());
  }
  return tree;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string rfc3339_now() {
  using namespace std::chrono;
  auto now = floor<milliseconds>(system_clock::now());
  auto day = floor<days>(now);
  year_month_day date{day};
  hh_mm_ss time{now - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count(),
                     time.subseconds().count());
}

std::vector<PutRecord> in_shard(const std::vector<PutRecord>& records,
                                const std::string& shard_id) {
  std::vector<PutRecord> result;
  for (const auto& record : records) {
    if (record.shard_id == shard_id) result.push_back(record);
  }
  return result;
}

std::vector<PutRecord> concat(std::vector<PutRecord> a, const std::vector<PutRecord>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<PutRecord> put_keyed_group(const std::string& binary, const fs::path& log_dir,
                                       const std::string& name, int count) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i)
    lines.push_back(fmt::format(R"({{"k":"key-{}","group":"{}"}})", i, name));
  return put_records(binary, log_dir, lines, {"--partition-key-field", "k"});
}

std::vector<nlohmann::json> dead_letter_entries(const std::filesystem::path& folder) {
  std::vector<nlohmann::json> entries;
  if (!std::filesystem::exists(folder)) return entries;
  for (const auto& file : std::filesystem::directory_iterator(folder)) {
    if (file.path().extension() != ".jsonl") continue;
    std::istringstream text(read_file(file.path()));
    for (std::string line; std::getline(text, line);)
      entries.push_back(nlohmann::json::parse(line));
  }
  return entries;
}

}  // namespace shardpipe::testing
