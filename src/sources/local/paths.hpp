// Names of the files in a log directory, shard ids and segment file names.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shardpipe::local::detail {

std::filesystem::path layout_path(const std::filesystem::path& dir);    // DIR/log.json
std::filesystem::path lock_path(const std::filesystem::path& dir);      // DIR/LOCK
std::filesystem::path sequence_path(const std::filesystem::path& dir);  // DIR/SEQUENCE
std::filesystem::path shards_path(const std::filesystem::path& dir);    // DIR/shards
std::filesystem::path shard_path(const std::filesystem::path& dir, std::string_view shard_id);

// The message every operation gives for a directory that holds no log.
std::string log_not_found_message(const std::filesystem::path& dir);

std::string shard_id_for(uint64_t number);  // shardId-000000000007
std::optional<uint64_t> shard_number(std::string_view shard_id);

std::string segment_file_name(uint64_t first_sequence);  // 00000000000000000042.seg
std::optional<uint64_t> parse_segment_file_name(std::string_view name);

struct SegmentFile {
  uint64_t first_sequence = 0;
  std::filesystem::path path;
};

// The segments of a shard ordered by first sequence. Throws not_found when the folder is missing.
std::vector<SegmentFile> list_segments(const std::filesystem::path& shard_dir);

}  // namespace shardpipe::local::detail
