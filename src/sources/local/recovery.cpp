#include "sources/local/recovery.hpp"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>

#include "sources/local/io.hpp"
#include "sources/local/segment_scan.hpp"

namespace shardpipe::local::detail {
namespace {

void truncate_torn_tail(const std::filesystem::path& path, uint64_t valid_end) {
  UniqueFd fd = open_file(path, O_WRONLY);
  uint64_t size = file_size(fd.get(), path);
  truncate_file(fd.get(), valid_end, path);
  sync_data(fd.get(), path);
  fmt::print(stderr,
             "shardpipe: local log: cut a torn tail of {} bytes off {} at byte offset {} (an "
             "interrupted write)\n",
             size - valid_end, path.string(), valid_end);
}

}  // namespace

ShardTail inspect_shard_tail(const std::filesystem::path& shard_dir, bool repair) {
  ShardTail tail;
  tail.segments = list_segments(shard_dir);
  for (size_t index = tail.segments.size(); index-- > 0;) {
    bool last = index + 1 == tail.segments.size();
    const auto& segment = tail.segments[index];
    SegmentScan scan = scan_segment(segment.path, last);
    if (last) {
      if (scan.torn_tail && repair) {
        truncate_torn_tail(segment.path, scan.valid_end);
      }
      tail.last_segment_bytes = scan.valid_end;
    }
    if (scan.last_sequence) {
      tail.last_sequence = scan.last_sequence;
      tail.last_arrival_us = scan.last_arrival_us;
      break;
    }
  }
  return tail;
}

RecoveredLog recover_log(const std::filesystem::path& dir, const LogLayout& layout,
                         SequenceFile& sequence_file) {
  RecoveredLog recovered;
  SequenceState& state = recovered.sequence;
  if (auto stored = sequence_file.read()) {
    state = *stored;
  }
  state.next_sequence = std::max(state.next_sequence, first_sequence_number);
  for (const auto& shard : layout.shards()) {
    state.next_sequence = std::max(state.next_sequence, shard.starting_sequence);
    if (shard.ending_sequence) {
      state.next_sequence = std::max(state.next_sequence, *shard.ending_sequence + 1);
    }
    if (!shard.open()) {
      continue;
    }
    ShardTail tail = inspect_shard_tail(shard_path(dir, shard.shard_id), /*repair=*/true);
    if (tail.last_sequence) {
      state.next_sequence = std::max(state.next_sequence, *tail.last_sequence + 1);
    }
    if (tail.last_arrival_us) {
      state.last_arrival_us = std::max(state.last_arrival_us, *tail.last_arrival_us);
    }
    // A segment is named after the first sequence meant for it, even if a crash lost its records.
    if (!tail.segments.empty()) {
      state.next_sequence = std::max(state.next_sequence, tail.segments.back().first_sequence);
    }
    recovered.open_tails.emplace(shard.shard_id, std::move(tail));
  }
  state.clean = true;
  sequence_file.write(state);
  return recovered;
}

}  // namespace shardpipe::local::detail
