// ShardReader: buffered, lock-free reading of one shard in sequence order.
#include <fcntl.h>

#include <algorithm>
#include <limits>

#include "sources/local/frame.hpp"
#include "sources/local/io.hpp"
#include "sources/local/layout_store.hpp"
#include "sources/local/local_log.hpp"
#include "sources/local/paths.hpp"
#include "sources/local/recovery.hpp"
#include "sources/local/segment_scan.hpp"

namespace shardpipe::local {
namespace {

// Enough for a large batch without reserving megabytes for callers that ask for "everything".
constexpr size_t max_reserved_records = 16384;

enum class Stop {
  filled,  // max_records or max_bytes reached
  tail,    // nothing more stored now
};

struct ReadBuffer {
  std::unique_ptr<char[]> bytes;
  size_t capacity = 0;
};

}  // namespace

struct ShardReader::State {
  std::string shard_id;
  std::filesystem::path shard_dir;
  detail::LayoutWatcher layout;
  bool closed = false;

  // The next frame starts at `offset` of `segment`; no segment: the shard's first, once one exists.
  std::optional<detail::SegmentFile> segment;
  std::optional<detail::SegmentFile> next_segment;  // found: `segment` will not grow any more
  detail::UniqueFd fd;
  uint64_t offset = 0;

  // buffers[active] holds bytes [buffer_offset, buffer_offset + buffered) of the current segment.
  // Records returned by the current read() may point into buffers[0..active], so a refill after
  // one was returned moves on to the next buffer instead of overwriting (reused next call).
  std::vector<ReadBuffer> buffers = std::vector<ReadBuffer>(1);
  size_t active = 0;
  bool active_has_views = false;
  uint64_t buffer_offset = 0;
  size_t buffered = 0;

  uint64_t min_sequence = 0;              // skip records below (seek at/after sequence)
  std::optional<int64_t> min_arrival_us;  // skip records before, up to the first one at or after

  State(const std::filesystem::path& dir, std::string id)
      : shard_id(std::move(id)), shard_dir(detail::shard_path(dir, shard_id)), layout(dir) {
    const ShardMeta* meta = layout.layout().find(shard_id);
    if (meta == nullptr) {
      throw LogError(LogErrorCode::not_found,
                     "no shard " + shard_id + " in the local log at " + dir.string());
    }
    closed = !meta->open();
  }

  void position_at(std::optional<detail::SegmentFile> where, uint64_t at) {
    fd.reset();
    segment = std::move(where);
    next_segment.reset();
    offset = buffer_offset = at;
    buffered = 0;
    if (segment) {
      fd = detail::open_file(segment->path, O_RDONLY);
    }
  }

  void seek_to_start(uint64_t min_sequence_wanted, std::optional<int64_t> min_arrival_wanted) {
    auto segments = detail::list_segments(shard_dir);
    position_at(segments.empty() ? std::nullopt : std::optional(segments.front()), 0);
    min_sequence = min_sequence_wanted;
    min_arrival_us = min_arrival_wanted;
  }

  std::string_view buffered_view() const {
    size_t skip = static_cast<size_t>(offset - buffer_offset);
    return {buffers[active].bytes.get() + skip, buffered - skip};
  }

  // Called when read() starts: records returned before are no longer referenced.
  void release_views() {
    std::swap(buffers[0], buffers[active]);
    active = 0;
    active_has_views = false;
  }

  // Reads at `offset`, at least as far as a frame of `frame_bytes` needs; returns how far it asked.
  size_t refill(size_t frame_bytes) {
    if (active_has_views) {
      if (++active == buffers.size()) {
        buffers.emplace_back();
      }
      active_has_views = false;
    }
    ReadBuffer& buffer = buffers[active];
    size_t wanted = std::max(detail::read_buffer_bytes, frame_bytes);
    if (buffer.capacity < wanted) {
      buffer.bytes = std::make_unique_for_overwrite<char[]>(wanted);
      buffer.capacity = wanted;
    }
    buffer_offset = offset;
    buffered = detail::pread_full(fd.get(), buffer.bytes.get(), wanted, offset, segment->path);
    return wanted;
  }

  std::optional<detail::SegmentFile> find_next_segment() const {
    for (auto& candidate : detail::list_segments(shard_dir)) {
      if (candidate.first_sequence > segment->first_sequence) {
        return candidate;
      }
    }
    return std::nullopt;
  }

  bool skipped(const detail::FrameRecord& record) {
    if (record.sequence < min_sequence) {
      return true;
    }
    if (min_arrival_us) {
      if (record.arrival_time_us < *min_arrival_us) {
        return true;
      }
      min_arrival_us
          .reset();  // from here on, everything (arrival times are only approximately ordered)
    }
    return false;
  }

  Stop read_frames(ReadResult& result, size_t max_records, size_t max_bytes) {
    size_t bytes = 0;
    // The buffer was just read at `offset`, `fresh_bytes` far: a frame that does not decode
    // within that is really so on disk (an incomplete one: the file ended).
    bool fresh = false;
    size_t fresh_bytes = 0;
    while (result.records.size() < max_records) {
      if (!segment) {
        seek_first_segment_if_any();
        if (!segment) {
          return Stop::tail;
        }
      }
      detail::DecodedFrame frame = detail::decode_frame(buffered_view());
      if (frame.status == detail::FrameStatus::ok) {
        const detail::FrameRecord& record = frame.record;
        bool wanted = !skipped(record);
        size_t size = record.key.size() + record.data.size();
        if (wanted && !result.records.empty() && bytes + size > max_bytes) {
          return Stop::filled;
        }
        offset += frame.size;
        fresh = false;
        if (!wanted) {
          continue;
        }
        bytes += size;
        result.records.push_back(
            {record.sequence, record.arrival_time_us, record.key, record.data});
        active_has_views = true;
        if (bytes >= max_bytes) {
          return Stop::filled;
        }
        continue;
      }
      if (!fresh || frame.size > fresh_bytes) {
        fresh_bytes = refill(frame.size);
        fresh = true;
        continue;
      }
      if (!next_segment) {
        next_segment = find_next_segment();
        if (next_segment) {
          fresh = false;  // it may have grown before the roll: read it once more
          continue;
        }
        // The last segment: an incomplete frame is being written, or torn (for a writer to
        // repair), unless a valid frame follows it; see ensure_torn_tail.
        if (buffered_view().empty()) {
          return Stop::tail;
        }
        if (!result.records.empty()) {
          return Stop::filled;  // hand these out; judge the frame next call
        }
        detail::ensure_torn_tail(fd.get(), segment->path, offset, frame, /*last_segment=*/true,
                                 offset + buffered_view().size());
        return Stop::tail;
      }
      // A later segment exists, so this one is complete: it must end exactly here.
      if (frame.status == detail::FrameStatus::incomplete && buffered_view().empty()) {
        position_at(std::move(next_segment), 0);
        fresh = false;
        continue;
      }
      if (!result.records.empty()) {
        return Stop::filled;  // hand these out; throw next call
      }
      detail::ensure_torn_tail(fd.get(), segment->path, offset, frame, /*last_segment=*/false,
                               offset + buffered_view().size());
    }
    return Stop::filled;
  }

  void seek_first_segment_if_any() {
    auto segments = detail::list_segments(shard_dir);
    if (!segments.empty()) {
      position_at(segments.front(), 0);
    }
  }

  // Reloads the shard table (only if it changed) to learn whether the shard was closed.
  bool learn_closed() {
    if (!closed) {
      layout.refresh();
      const ShardMeta* meta = layout.layout().find(shard_id);
      closed = meta != nullptr && !meta->open();
    }
    return closed;
  }
};

ShardReader::ShardReader(const std::filesystem::path& dir, std::string shard_id)
    : state_(std::make_unique<State>(dir, std::move(shard_id))) {
  seek_trim_horizon();
}

ShardReader::~ShardReader() = default;
ShardReader::ShardReader(ShardReader&&) noexcept = default;
ShardReader& ShardReader::operator=(ShardReader&&) noexcept = default;

void ShardReader::seek_trim_horizon() {
  state_->seek_to_start(0, std::nullopt);
}

void ShardReader::seek_latest() {
  State& s = *state_;
  auto segments = detail::list_segments(s.shard_dir);
  if (segments.empty()) {
    s.position_at(std::nullopt, 0);
  } else {
    detail::SegmentScan scan = detail::scan_segment(segments.back().path, /*last_segment=*/true);
    s.position_at(segments.back(), scan.valid_end);
  }
  s.min_sequence = 0;
  s.min_arrival_us.reset();
}

void ShardReader::seek_at_sequence(uint64_t sequence) {
  State& s = *state_;
  auto segments = detail::list_segments(s.shard_dir);
  // Segment names are the first sequence meant for them: start in the last one named <= sequence.
  auto after =
      std::ranges::upper_bound(segments, sequence, {}, &detail::SegmentFile::first_sequence);
  if (after != segments.begin()) {
    --after;
  }
  s.position_at(after == segments.end() ? std::nullopt : std::optional(*after), 0);
  s.min_sequence = sequence;
  s.min_arrival_us.reset();
}

void ShardReader::seek_after_sequence(uint64_t sequence) {
  seek_at_sequence(sequence == std::numeric_limits<uint64_t>::max() ? sequence : sequence + 1);
}

void ShardReader::seek_at_timestamp(int64_t unix_ms) {
  State& s = *state_;
  constexpr int64_t limit_ms = std::numeric_limits<int64_t>::max() / 1000;
  int64_t wanted_us = std::clamp(unix_ms, -limit_ms, limit_ms) * 1000;
  auto segments = detail::list_segments(s.shard_dir);
  // Start in the last segment whose first record arrived before the time (the first one if none).
  std::optional<detail::SegmentFile> start;
  for (const auto& segment : segments) {
    char head[detail::frame_header_bytes + detail::payload_fixed_bytes];
    detail::UniqueFd fd = detail::open_file(segment.path, O_RDONLY);
    if (detail::pread_full(fd.get(), head, sizeof head, 0, segment.path) < sizeof head) {
      break;
    }
    if (start && detail::peek_arrival_time_us({head, sizeof head}) >= wanted_us) {
      break;
    }
    start = segment;
  }
  if (!start && !segments.empty()) {
    start = segments.front();
  }
  s.position_at(start, 0);
  s.min_sequence = 0;
  s.min_arrival_us = wanted_us;
}

ReadResult ShardReader::read(size_t max_records, size_t max_bytes) {
  State& s = *state_;
  ReadResult result;
  if (max_records == 0) {
    return result;
  }
  result.records.reserve(std::min(max_records, max_reserved_records));
  s.release_views();
  while (true) {
    // `closed` is read before the tail is seen, so a closed shard's tail is its real end.
    bool closed_before = s.closed;
    if (s.read_frames(result, max_records, max_bytes) != Stop::tail) {
      return result;
    }
    if (closed_before) {
      result.shard_end = true;
      return result;
    }
    // Closed since: records stored before the close may have arrived after the tail was seen.
    if (!s.learn_closed() || !result.records.empty()) {
      return result;
    }
  }
}

std::optional<uint64_t> ShardReader::last_sequence() {
  return detail::inspect_shard_tail(state_->shard_dir, /*repair=*/false).last_sequence;
}

uint64_t ShardReader::count_after(std::optional<uint64_t> sequence) {
  auto segments = detail::list_segments(state_->shard_dir);
  uint64_t from = 0;
  if (sequence) {
    from = *sequence == std::numeric_limits<uint64_t>::max() ? *sequence : *sequence + 1;
  }
  auto after = std::ranges::upper_bound(segments, from, {}, &detail::SegmentFile::first_sequence);
  size_t start = after == segments.begin() ? 0 : static_cast<size_t>(after - segments.begin() - 1);
  uint64_t count = 0;
  for (size_t index = start; index < segments.size(); ++index) {
    count +=
        detail::scan_segment(segments[index].path, index + 1 == segments.size(), from).frames_from;
  }
  return count;
}

}  // namespace shardpipe::local
