// `shardpipe log ...`: the embedded local log from the command line.
#include <fmt/format.h>
#include <poll.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/progress_line.hpp"
#include "core/crc32c.hpp"
#include "core/json_text.hpp"
#include "core/sequence_number.hpp"
#include "sources/local/local_log.hpp"

namespace shardpipe::cli {
namespace {

namespace lg = shardpipe::local;

int report(const lg::LogError& error) {
  fmt::print(stderr, "error: {}\n", error.what());
  return error.code() == lg::LogErrorCode::invalid_argument ? exit_usage : exit_failure;
}

// Picks each line's partition key: a fixed key, a JSON field, or the line's own hash.
class KeyChooser {
 public:
  explicit KeyChooser(const PutOptions& options) : options_(options) {}

  std::string_view key_for(std::string_view line) {
    if (!options_.partition_key.empty()) return options_.partition_key;
    if (!options_.partition_key_field.empty() && key_from_field(line)) return scratch_;
    static constexpr char hex[] = "0123456789abcdef";
    uint32_t hash = crc32c(line);
    scratch_.resize(8);
    for (int i = 7; i >= 0; --i, hash >>= 4) scratch_[static_cast<size_t>(i)] = hex[hash & 0xF];
    return scratch_;
  }

 private:
  bool key_from_field(std::string_view line) {
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    if (parser_.iterate(padded).get(doc) != simdjson::SUCCESS) return false;
    simdjson::ondemand::object object;
    if (doc.get_object().get(object) != simdjson::SUCCESS) return false;
    simdjson::ondemand::value value;
    if (object.find_field_unordered(options_.partition_key_field).get(value) != simdjson::SUCCESS) {
      return false;
    }
    std::string_view text;
    simdjson::ondemand::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS) return false;
    if (type == simdjson::ondemand::json_type::string) {
      if (value.get_string().get(text) != simdjson::SUCCESS) return false;
    } else {
      text = value.raw_json_token();
    }
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text.empty()) return false;
    scratch_ = std::string(text);
    return true;
  }

  const PutOptions& options_;
  simdjson::ondemand::parser parser_;
  std::string scratch_;
};

// Reads a file descriptor in large chunks and hands out the complete lines of each chunk
// (without their newline); any bytes, UTF-8 or not. A last line without a newline counts.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}

  bool next_chunk() {
    lines_.clear();
    // Keep the unfinished line of the previous chunk at the front.
    buffer_.erase(0, consumed_);
    consumed_ = 0;
    while (lines_.empty()) {
      if (eof_) {
        if (buffer_.empty()) return false;
        lines_.push_back(buffer_);  // the last line had no newline
        consumed_ = buffer_.size();
        return true;
      }
      // Read while more input follows within a moment, up to a chunk: a pipe hands out 64 KiB
      // at a time, and one group commit per 64 KiB would make fsync the bottleneck.
      size_t wanted = buffer_.size() + chunk_bytes;
      do {
        if (!read_some(wanted - buffer_.size())) return false;
      } while (!eof_ && buffer_.size() < wanted && input_ready());
      split_lines();
    }
    return true;
  }
  const std::vector<std::string_view>& lines() const { return lines_; }
  const std::string& error() const { return error_; }

 private:
  static constexpr size_t chunk_bytes = 8u << 20;
  static constexpr int input_wait_ms = 5;

  bool read_some(size_t room) {
    size_t old_size = buffer_.size();
    buffer_.resize(old_size + room);
    ssize_t n;
    do {
      n = ::read(fd_, buffer_.data() + old_size, room);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      error_ = std::strerror(errno);
      buffer_.resize(old_size);
      return false;
    }
    buffer_.resize(old_size + static_cast<size_t>(n));
    if (n == 0) eof_ = true;
    return true;
  }

  bool input_ready() const {
    pollfd ready{fd_, POLLIN, 0};
    return ::poll(&ready, 1, input_wait_ms) == 1;
  }

  void split_lines() {
    std::string_view rest(buffer_);
    size_t start = 0;
    while (true) {
      auto newline = rest.find('\n', start);
      if (newline == std::string_view::npos) break;
      lines_.push_back(rest.substr(start, newline - start));
      start = newline + 1;
    }
    consumed_ = start;
  }

  int fd_;
  std::string buffer_;
  size_t consumed_ = 0;
  bool eof_ = false;
  std::string error_;
  std::vector<std::string_view> lines_;
};

// The bytes left to read on `fd` when it is a regular file (standard input redirected from a
// file), for the progress line's percent and ETA; nullopt for pipes and terminals.
std::optional<uint64_t> regular_file_bytes_left(int fd) {
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
  off_t at = ::lseek(fd, 0, SEEK_CUR);
  if (at < 0 || at > info.st_size) return std::nullopt;
  return static_cast<uint64_t>(info.st_size - at);
}

}  // namespace

int log_create(const std::string& dir, int shards) {
  try {
    lg::create_log(dir, shards);
    fmt::print("created local log {} with {} shard{}\n", dir, shards, shards == 1 ? "" : "s");
    return exit_ok;
  } catch (const lg::LogError& e) {
    return report(e);
  }
}

int log_put(const std::string& dir, const PutOptions& options) {
  try {
    lg::LogWriter writer(dir);
    KeyChooser chooser(options);
    LineReader reader(STDIN_FILENO);
    std::string keys;  // every key of the group, back to back
    std::vector<std::pair<size_t, size_t>> key_spans;
    std::vector<lg::PutRecord> records;
    uint64_t total = 0;
    // --verbose prints to standard output: no progress line when that is the same terminal.
    ProgressLine::Options progress_options;
    if (options.verbose && ::isatty(STDOUT_FILENO)) progress_options.mode = ProgressMode::never;
    ProgressLine progress("put", "records", progress_options);
    ProgressCounts counts{.bytes = 0, .total_bytes = regular_file_bytes_left(STDIN_FILENO)};
    // One group commit (one fsync per touched shard) per chunk of standard input.
    while (reader.next_chunk()) {
      const auto& lines = reader.lines();
      keys.clear();
      key_spans.clear();
      for (auto line : lines) {
        auto key = chooser.key_for(line);
        key_spans.emplace_back(keys.size(), key.size());
        keys.append(key);
      }
      records.clear();
      for (size_t i = 0; i < lines.size(); ++i) {
        records.push_back(
            {std::string_view(keys).substr(key_spans[i].first, key_spans[i].second), lines[i]});
      }
      auto appended = writer.append(records);
      if (options.verbose) {
        std::string out;
        for (const auto& a : appended) out += fmt::format("{} {}\n", a.shard_id, a.sequence);
        std::fwrite(out.data(), 1, out.size(), stdout);
      }
      total += lines.size();
      if (progress.enabled()) {
        counts.done = total;
        for (auto line : lines) *counts.bytes += line.size() + 1;
        progress.update(counts);
      }
    }
    progress.finish();
    if (!reader.error().empty()) {
      fmt::print(stderr, "error: reading standard input: {}\n", reader.error());
      return exit_failure;
    }
    if (!options.verbose) fmt::print(stderr, "put {} record{}\n", total, total == 1 ? "" : "s");
    return exit_ok;
  } catch (const lg::LogError& e) {
    return report(e);
  }
}

int log_split(const std::string& dir, const std::string& shard_id, const std::string& at_hash_key) {
  try {
    std::optional<lg::uint128> at;
    if (!at_hash_key.empty()) {
      at = lg::parse_uint128(at_hash_key);
      if (!at) {
        fmt::print(stderr, "error: --at must be a decimal hash key, got '{}'\n", at_hash_key);
        return exit_usage;
      }
    }
    auto children = lg::split_shard(dir, shard_id, at);
    fmt::print("split {} into {}\n", shard_id, fmt::join(children, " and "));
    return exit_ok;
  } catch (const lg::LogError& e) {
    return report(e);
  }
}

int log_merge(const std::string& dir, const std::string& shards) {
  auto comma = shards.find(',');
  if (comma == std::string::npos) {
    fmt::print(stderr, "error: --shards takes two shard ids separated by a comma, got '{}'\n",
               shards);
    return exit_usage;
  }
  try {
    auto child = lg::merge_shards(dir, shards.substr(0, comma), shards.substr(comma + 1));
    fmt::print("merged {} into {}\n", shards, child);
    return exit_ok;
  } catch (const lg::LogError& e) {
    return report(e);
  }
}

int log_describe(const std::string& dir, bool json) {
  try {
    auto layout = lg::LogLayout::load(dir);
    if (json) {
      fmt::print("{}\n", layout.describe_json());
      return exit_ok;
    }
    fmt::print("{:<22} {:<22} {:<22} {:<8} {:<12} {}\n", "SHARD", "PARENT", "ADJACENT PARENT",
               "STATE", "FIRST SEQ", "LAST SEQ");
    for (const auto& shard : layout.shards()) {
      fmt::print("{:<22} {:<22} {:<22} {:<8} {:<12} {}\n", shard.shard_id,
                 shard.parent_shard_id.value_or("-"), shard.adjacent_parent_shard_id.value_or("-"),
                 shard.open() ? "open" : "closed", shard.starting_sequence,
                 shard.ending_sequence ? std::to_string(*shard.ending_sequence) : "-");
    }
    return exit_ok;
  } catch (const lg::LogError& e) {
    return report(e);
  }
}

int log_get(const std::string& dir, const std::string& shard_id, const std::string& from,
            size_t limit) {
  try {
    lg::ShardReader reader(dir, shard_id);
    if (from.empty()) {
      reader.seek_trim_horizon();
    } else {
      auto sequence = parse_sequence_u64(from);
      if (!sequence) {
        fmt::print(stderr, "error: --from must be a sequence number, got '{}'\n", from);
        return exit_usage;
      }
      reader.seek_at_sequence(*sequence);
    }
    while (limit > 0) {
      auto result = reader.read(std::min<size_t>(limit, 1000), 4u << 20);
      if (result.records.empty()) break;
      std::string out;
      for (const auto& record : result.records) {
        out += R"({"sequenceNumber":")" + std::to_string(record.sequence) + R"(","partitionKey":)";
        append_json_string(out, is_valid_utf8(record.partition_key)
                                    ? std::string(record.partition_key)
                                    : base64_encode(record.partition_key));
        out += fmt::format(R"(,"approximateArrivalTimestamp":{}.{:06},"data":")",
                           record.arrival_time_us / 1000000, record.arrival_time_us % 1000000);
        append_base64(out, record.data);
        out += "\"}\n";
      }
      std::fwrite(out.data(), 1, out.size(), stdout);
      limit -= std::min(limit, result.records.size());
    }
    return exit_ok;
  } catch (const lg::LogError& e) {
    return report(e);
  }
}

}  // namespace shardpipe::cli
