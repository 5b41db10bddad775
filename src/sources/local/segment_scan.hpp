// Walking a segment file frame by frame, and telling a torn tail from corruption.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "sources/local/frame.hpp"

namespace shardpipe::local::detail {

// Buffered reads of this size keep syscalls rare without holding much memory.
inline constexpr size_t read_buffer_bytes = 1u << 20;

// Decides what a frame that did not decode at `offset` of `path` means. Returns normally when it
// is a torn tail, what a crash mid-write leaves: in the shard's last segment, an incomplete frame
// or a bad one followed by nothing but zero bytes, and no valid frame starting anywhere after its
// first byte. Anything else throws LogError(corrupt) naming the file and the byte offset.
// `seen_end` is where the bytes read to decode the frame ended: an incomplete frame is judged by
// those only, since a writer may be appending more meanwhile.
void ensure_torn_tail(int fd, const std::filesystem::path& path, uint64_t offset,
                      const DecodedFrame& frame, bool last_segment, uint64_t seen_end);

[[noreturn]] void throw_corrupt(const std::filesystem::path& path, uint64_t offset,
                                std::string_view reason);

struct SegmentScan {
  uint64_t valid_end = 0;  // where the last good frame ends
  bool torn_tail = false;  // bytes follow valid_end that do not form a good frame
  uint64_t frames = 0;
  uint64_t frames_from = 0;  // frames whose sequence is >= the `count_from` argument
  std::optional<uint64_t> last_sequence;
  std::optional<int64_t> last_arrival_us;
};

// Reads the whole segment, verifying every frame. Throws corrupt (see ensure_torn_tail).
SegmentScan scan_segment(const std::filesystem::path& path, bool last_segment,
                         uint64_t count_from = 0);

}  // namespace shardpipe::local::detail
