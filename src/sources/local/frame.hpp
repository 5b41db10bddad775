// One record on disk:
//   u32 payload length | u32 CRC32C(payload) | payload
//   payload = u64 sequence | i64 arrival time (Unix µs) | u32 key length | key | data
// All integers little-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shardpipe::local::detail {

inline constexpr size_t frame_header_bytes = 8;
inline constexpr size_t payload_fixed_bytes = 20;
// Larger lengths can only come from damage; writers refuse records this big.
inline constexpr size_t max_payload_bytes = 64u << 20;

constexpr bool possible_payload_length(uint64_t payload_bytes) {
  return payload_bytes >= payload_fixed_bytes && payload_bytes <= max_payload_bytes;
}

struct FrameRecord {
  uint64_t sequence = 0;
  int64_t arrival_time_us = 0;
  std::string_view key;
  std::string_view data;
};

inline size_t frame_size(size_t key_bytes, size_t data_bytes) {
  return frame_header_bytes + payload_fixed_bytes + key_bytes + data_bytes;
}

// Writes the frame of `record` to `out`, which must hold frame_size(key, data) bytes.
void encode_frame(char* out, const FrameRecord& record);

enum class FrameStatus {
  ok,
  incomplete,    // fewer bytes than the frame needs: a tail still being written, or torn
  bad_length,    // the length field is impossible
  bad_checksum,  // complete, but the CRC does not match
  bad_payload,   // the CRC matches but the key length does not fit the payload
};

struct DecodedFrame {
  FrameStatus status = FrameStatus::incomplete;
  size_t size = 0;  // bytes the whole frame takes (known unless the header is incomplete or bad)
  FrameRecord record;
};

// Decodes the frame at the start of `bytes` (everything available from the frame's offset on).
// Views in the result point into `bytes`.
DecodedFrame decode_frame(std::string_view bytes);

// What the first frame_header_bytes + payload_fixed_bytes of `bytes` claim, unverified: enough to
// rule out most offsets cheaply before computing a checksum.
struct FrameHead {
  uint32_t payload_bytes = 0;
  uint32_t checksum = 0;
  uint32_t key_bytes = 0;
};
FrameHead peek_frame_head(std::string_view bytes);

// The arrival time of a frame whose header and fixed payload fields are in `bytes`
// (frame_header_bytes + payload_fixed_bytes); the checksum is not verified.
int64_t peek_arrival_time_us(std::string_view bytes);

}  // namespace shardpipe::local::detail
