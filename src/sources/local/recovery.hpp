// Writer-side recovery, under the directory lock: torn tails are cut off and the sequence
// counter is raised past everything the shards hold, so a stale SEQUENCE file is harmless.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sources/local/local_log.hpp"
#include "sources/local/paths.hpp"
#include "sources/local/sequence_file.hpp"

namespace shardpipe::local::detail {

struct ShardTail {
  std::vector<SegmentFile> segments;
  std::optional<uint64_t> last_sequence;  // the newest record of the shard, if any
  std::optional<int64_t> last_arrival_us;
  uint64_t last_segment_bytes = 0;  // valid bytes of the last segment
};

// Scans the shard's last segment (and earlier ones while they hold no record). With `repair`
// (caller holds the lock) a torn tail is truncated and fsynced, with a note on stderr.
ShardTail inspect_shard_tail(const std::filesystem::path& shard_dir, bool repair);

struct RecoveredLog {
  SequenceState sequence;                                 // clean, and written to SEQUENCE
  std::unordered_map<std::string, ShardTail> open_tails;  // by shard id
};

// Repairs every open shard and rewrites SEQUENCE as clean with a counter no lower than the stored
// one and above every sequence the shards hold or may hold.
RecoveredLog recover_log(const std::filesystem::path& dir, const LogLayout& layout,
                         SequenceFile& sequence_file);

}  // namespace shardpipe::local::detail
