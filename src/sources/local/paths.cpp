#include "sources/local/paths.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <system_error>

#include "sources/local/local_log.hpp"

namespace shardpipe::local::detail {
namespace {

constexpr std::string_view shard_id_prefix = "shardId-";
constexpr size_t shard_id_digits = 12;
constexpr std::string_view segment_suffix = ".seg";
constexpr size_t segment_digits = 20;

std::optional<uint64_t> parse_digits(std::string_view digits, size_t width) {
  if (digits.size() != width) {
    return std::nullopt;
  }
  uint64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::filesystem::path layout_path(const std::filesystem::path& dir) {
  return dir / "log.json";
}
std::filesystem::path lock_path(const std::filesystem::path& dir) {
  return dir / "LOCK";
}
std::filesystem::path sequence_path(const std::filesystem::path& dir) {
  return dir / "SEQUENCE";
}
std::filesystem::path shards_path(const std::filesystem::path& dir) {
  return dir / "shards";
}
std::filesystem::path shard_path(const std::filesystem::path& dir, std::string_view shard_id) {
  return shards_path(dir) / shard_id;
}

std::string log_not_found_message(const std::filesystem::path& dir) {
  return fmt::format(
      "local log not found at {0}: create it with 'shardpipe log create {0} --shards N'",
      dir.string());
}

std::string shard_id_for(uint64_t number) {
  return fmt::format("{}{:012}", shard_id_prefix, number);
}

std::optional<uint64_t> shard_number(std::string_view shard_id) {
  if (!shard_id.starts_with(shard_id_prefix)) {
    return std::nullopt;
  }
  return parse_digits(shard_id.substr(shard_id_prefix.size()), shard_id_digits);
}

std::string segment_file_name(uint64_t first_sequence) {
  return fmt::format("{:020}{}", first_sequence, segment_suffix);
}

std::optional<uint64_t> parse_segment_file_name(std::string_view name) {
  if (!name.ends_with(segment_suffix)) {
    return std::nullopt;
  }
  return parse_digits(name.substr(0, name.size() - segment_suffix.size()), segment_digits);
}

std::vector<SegmentFile> list_segments(const std::filesystem::path& shard_dir) {
  std::error_code error;
  std::filesystem::directory_iterator entries(shard_dir, error);
  if (error) {
    if (error == std::errc::no_such_file_or_directory) {
      throw LogError(LogErrorCode::not_found, "shard folder not found: " + shard_dir.string());
    }
    throw LogError(LogErrorCode::io, "cannot list " + shard_dir.string() + ": " + error.message());
  }
  std::vector<SegmentFile> segments;
  for (const auto& entry : entries) {
    auto name = entry.path().filename().native();
    if (auto first = parse_segment_file_name(name)) {
      segments.push_back({*first, entry.path()});
    }
  }
  std::ranges::sort(segments, {}, &SegmentFile::first_sequence);
  return segments;
}

}  // namespace shardpipe::local::detail
