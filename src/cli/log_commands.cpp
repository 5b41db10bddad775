// `shardpipe log ...`: the embedded local log from the command line.
#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "core/crc32c.hpp"
#include "core/json_text.hpp"
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
    scratch_ = fmt::format("{:08x}", crc32c(line));
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

constexpr size_t group_records = 8192;
constexpr size_t group_bytes = 4u << 20;

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
    std::vector<std::string> lines;
    std::vector<std::string> keys;
    std::vector<lg::PutRecord> records;
    size_t bytes = 0;
    uint64_t total = 0;
    auto commit = [&] {
      records.clear();
      for (size_t i = 0; i < lines.size(); ++i) records.push_back({keys[i], lines[i]});
      auto appended = writer.append(records);
      if (options.verbose) {
        std::string out;
        for (const auto& a : appended) out += fmt::format("{} {}\n", a.shard_id, a.sequence);
        std::fwrite(out.data(), 1, out.size(), stdout);
      }
      total += lines.size();
      lines.clear();
      keys.clear();
      bytes = 0;
    };
    // Lines are read with getline so any bytes (not only UTF-8) are kept as they are.
    char* buffer = nullptr;
    size_t capacity = 0;
    ssize_t length;
    while ((length = ::getline(&buffer, &capacity, stdin)) >= 0) {
      std::string_view line(buffer, static_cast<size_t>(length));
      if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
      keys.emplace_back(chooser.key_for(line));
      lines.emplace_back(line);
      bytes += line.size();
      if (lines.size() >= group_records || bytes >= group_bytes) commit();
    }
    std::free(buffer);
    if (!lines.empty()) commit();
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
    fmt::print(stderr, "error: --shards takes two shard ids separated by a comma, got '{}'\n", shards);
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
    fmt::print("{:<22} {:<22} {:<22} {:<8} {:<12} {}\n", "SHARD", "PARENT", "ADJACENT PARENT", "STATE",
               "FIRST SEQ", "LAST SEQ");
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

int log_get(const std::string& dir, const std::string& shard_id, const std::string& from, size_t limit) {
  try {
    lg::ShardReader reader(dir, shard_id);
    if (from.empty()) {
      reader.seek_trim_horizon();
    } else {
      uint64_t sequence = 0;
      auto [end, ec] = std::from_chars(from.data(), from.data() + from.size(), sequence);
      if (ec != std::errc() || end != from.data() + from.size()) {
        fmt::print(stderr, "error: --from must be a sequence number, got '{}'\n", from);
        return exit_usage;
      }
      reader.seek_at_sequence(sequence);
    }
    while (limit > 0) {
      auto result = reader.read(std::min<size_t>(limit, 1000), 4u << 20);
      if (result.records.empty()) break;
      std::string out;
      for (const auto& record : result.records) {
        out += R"({"sequenceNumber":")" + std::to_string(record.sequence) + R"(","partitionKey":)";
        append_json_string(out, is_valid_utf8(record.partition_key) ? std::string(record.partition_key)
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
