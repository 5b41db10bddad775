#include "sources/local/segment_scan.hpp"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "sources/local/frame_search.hpp"
#include "sources/local/io.hpp"
#include "sources/local/local_log.hpp"

namespace shardpipe::local::detail {
namespace {

bool only_zeros_from(int fd, const std::filesystem::path& path, uint64_t offset) {
  auto chunk = std::make_unique_for_overwrite<char[]>(64 * 1024);
  while (true) {
    size_t got = pread_full(fd, chunk.get(), 64 * 1024, offset, path);
    if (got == 0) {
      return true;
    }
    if (std::any_of(chunk.get(), chunk.get() + got, [](char c) { return c != 0; })) {
      return false;
    }
    offset += got;
  }
}

}  // namespace

void throw_corrupt(const std::filesystem::path& path, uint64_t offset, std::string_view reason) {
  throw LogError(LogErrorCode::corrupt,
                 fmt::format("corrupt local log segment {} at byte offset {}: {}", path.string(),
                             offset, reason));
}

void ensure_torn_tail(int fd, const std::filesystem::path& path, uint64_t offset,
                      const DecodedFrame& frame, bool last_segment, uint64_t seen_end) {
  // A damaged length can look like a torn tail (running past the end, or over later frames up to
  // zeros); the valid frames it hides give it away.
  auto refuse_valid_frame_after = [&](uint64_t end, std::string_view what) {
    if (auto next = find_valid_frame(fd, path, offset, end)) {
      throw_corrupt(path, offset,
                    fmt::format("{}, but a valid frame follows at byte offset {}", what, *next));
    }
  };
  switch (frame.status) {
    case FrameStatus::ok:
      return;
    case FrameStatus::incomplete:
      if (!last_segment) {
        throw_corrupt(path, offset,
                      "incomplete frame at the end of a segment that is not the shard's last");
      }
      refuse_valid_frame_after(seen_end, "frame length runs past the end of the segment");
      return;
    case FrameStatus::bad_length:
      if (!last_segment || !only_zeros_from(fd, path, offset + frame_header_bytes)) {
        throw_corrupt(path, offset, "impossible frame length");
      }
      refuse_valid_frame_after(file_size(fd, path), "impossible frame length");
      return;
    case FrameStatus::bad_checksum:
      if (!last_segment || !only_zeros_from(fd, path, offset + frame.size)) {
        throw_corrupt(path, offset, "CRC32C mismatch");
      }
      refuse_valid_frame_after(file_size(fd, path), "CRC32C mismatch");
      return;
    case FrameStatus::bad_payload:
      throw_corrupt(path, offset, "key length exceeds the frame");
  }
  throw_corrupt(path, offset, "unknown frame status");
}

SegmentScan scan_segment(const std::filesystem::path& path, bool last_segment,
                         uint64_t count_from) {
  UniqueFd fd = open_file(path, O_RDONLY);
  SegmentScan scan;
  size_t capacity = read_buffer_bytes;
  auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
  uint64_t buffer_offset = 0;
  size_t buffered = 0;
  bool reached_end = false;  // the last read stopped at the end of the file
  while (true) {
    size_t skip = static_cast<size_t>(scan.valid_end - buffer_offset);
    std::string_view available(buffer.get() + skip, buffered - skip);
    DecodedFrame frame = decode_frame(available);
    if (frame.status == FrameStatus::ok) {
      ++scan.frames;
      if (frame.record.sequence >= count_from) {
        ++scan.frames_from;
      }
      scan.last_sequence = frame.record.sequence;
      scan.last_arrival_us = frame.record.arrival_time_us;
      scan.valid_end += frame.size;
      continue;
    }
    if (frame.status == FrameStatus::incomplete && !reached_end) {
      if (frame.size > capacity) {
        capacity = frame.size;
        buffer = std::make_unique_for_overwrite<char[]>(capacity);
      }
      buffer_offset = scan.valid_end;
      buffered = pread_full(fd.get(), buffer.get(), capacity, buffer_offset, path);
      reached_end = buffered < capacity;
      continue;
    }
    if (frame.status == FrameStatus::incomplete && available.empty()) {
      return scan;  // clean end
    }
    ensure_torn_tail(fd.get(), path, scan.valid_end, frame, last_segment, buffer_offset + buffered);
    scan.torn_tail = true;
    return scan;
  }
}

}  // namespace shardpipe::local::detail
