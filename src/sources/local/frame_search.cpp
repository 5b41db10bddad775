#include "sources/local/frame_search.hpp"

#include <algorithm>
#include <memory>
#include <string_view>

#include "core/crc32c.hpp"
#include "sources/local/frame.hpp"
#include "sources/local/io.hpp"
#include "sources/local/segment_scan.hpp"

namespace shardpipe::local::detail {
namespace {

constexpr size_t head_bytes = frame_header_bytes + payload_fixed_bytes;

// The CRC32C of `size` bytes of the file from `offset`, read in chunks of the scratch buffer;
// nothing when the file ends before.
std::optional<uint32_t> file_crc32c(int fd, const std::filesystem::path& path, uint64_t offset,
                                    uint64_t size, std::unique_ptr<char[]>& scratch) {
  if (!scratch) {
    scratch = std::make_unique_for_overwrite<char[]>(read_buffer_bytes);
  }
  uint32_t crc = 0;
  while (size > 0) {
    size_t got =
        pread_full(fd, scratch.get(), std::min<uint64_t>(size, read_buffer_bytes), offset, path);
    if (got == 0) {
      return std::nullopt;
    }
    crc = crc32c_extend(crc, scratch.get(), got);
    offset += got;
    size -= got;
  }
  return crc;
}

}  // namespace

// The bytes of a frame a crash cut short pass for a valid frame only by chance: an offset whose
// length and key length look plausible still matches its CRC32C with probability 2^-32. If that
// happens, or if a record's data itself holds a whole encoded frame, a torn tail is reported as
// corruption: an error for someone to look at, never a cut. Cost: one pass over the range plus a
// checksum per plausible offset; quick for typical data, seconds for tens of MiB of random bytes,
// which is acceptable where it runs: only at a frame that does not decode.
std::optional<uint64_t> find_valid_frame(int fd, const std::filesystem::path& path, uint64_t after,
                                         uint64_t end) {
  if (end <= after || end - after <= head_bytes) {
    return std::nullopt;  // no room for the smallest frame
  }
  // Windows overlap by head_bytes - 1, so that every offset is seen with its fixed fields.
  size_t window_bytes = static_cast<size_t>(std::min<uint64_t>(read_buffer_bytes, end - after));
  auto window = std::make_unique_for_overwrite<char[]>(window_bytes);
  std::unique_ptr<char[]> scratch;  // for frames longer than what the window holds
  uint64_t start = after + 1;
  while (end - start >= head_bytes) {
    size_t got =
        pread_full(fd, window.get(), std::min<uint64_t>(window_bytes, end - start), start, path);
    if (got < head_bytes) {
      return std::nullopt;  // the file is shorter than `end`
    }
    std::string_view seen(window.get(), got);
    size_t starts = got - head_bytes + 1;
    for (size_t at = 0; at < starts; ++at) {
      uint64_t offset = start + at;
      FrameHead head = peek_frame_head(seen.substr(at));
      // Cheap checks first: most offsets fail them and cost no checksum.
      if (!possible_payload_length(head.payload_bytes) ||
          head.key_bytes > head.payload_bytes - payload_fixed_bytes ||
          head.payload_bytes + frame_header_bytes > end - offset) {
        continue;
      }
      size_t frame_bytes = frame_header_bytes + head.payload_bytes;
      if (frame_bytes <= got - at) {
        if (decode_frame(seen.substr(at, frame_bytes)).status == FrameStatus::ok) {
          return offset;
        }
        continue;
      }
      if (file_crc32c(fd, path, offset + frame_header_bytes, head.payload_bytes, scratch) ==
          head.checksum) {
        return offset;
      }
    }
    start += starts;
  }
  return std::nullopt;
}

}  // namespace shardpipe::local::detail
