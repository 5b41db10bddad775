#include "sources/local/frame.hpp"

#include <bit>
#include <cstring>

#include "core/crc32c.hpp"

namespace shardpipe::local::detail {
namespace {

template <typename T>
void store_le(char* out, T value) {
  if constexpr (std::endian::native == std::endian::big) value = std::byteswap(value);
  std::memcpy(out, &value, sizeof value);
}

template <typename T>
T load_le(const char* in) {
  T value;
  std::memcpy(&value, in, sizeof value);
  if constexpr (std::endian::native == std::endian::big) value = std::byteswap(value);
  return value;
}

}  // namespace

void encode_frame(char* out, const FrameRecord& record) {
  size_t payload_bytes = payload_fixed_bytes + record.key.size() + record.data.size();
  char* payload = out + frame_header_bytes;
  store_le<uint64_t>(payload, record.sequence);
  store_le<int64_t>(payload + 8, record.arrival_time_us);
  store_le<uint32_t>(payload + 16, static_cast<uint32_t>(record.key.size()));
  std::memcpy(payload + payload_fixed_bytes, record.key.data(), record.key.size());
  std::memcpy(payload + payload_fixed_bytes + record.key.size(), record.data.data(),
              record.data.size());
  store_le<uint32_t>(out, static_cast<uint32_t>(payload_bytes));
  store_le<uint32_t>(out + 4, crc32c_extend(0, payload, payload_bytes));
}

DecodedFrame decode_frame(std::string_view bytes) {
  DecodedFrame frame;
  if (bytes.size() < frame_header_bytes) {
    return frame;  // incomplete
  }
  uint32_t payload_bytes = load_le<uint32_t>(bytes.data());
  if (!possible_payload_length(payload_bytes)) {
    frame.status = FrameStatus::bad_length;
    return frame;
  }
  frame.size = frame_header_bytes + payload_bytes;
  if (bytes.size() < frame.size) {
    return frame;  // incomplete
  }
  const char* payload = bytes.data() + frame_header_bytes;
  if (crc32c_extend(0, payload, payload_bytes) != load_le<uint32_t>(bytes.data() + 4)) {
    frame.status = FrameStatus::bad_checksum;
    return frame;
  }
  uint32_t key_bytes = load_le<uint32_t>(payload + 16);
  if (key_bytes > payload_bytes - payload_fixed_bytes) {
    frame.status = FrameStatus::bad_payload;
    return frame;
  }
  frame.status = FrameStatus::ok;
  frame.record.sequence = load_le<uint64_t>(payload);
  frame.record.arrival_time_us = load_le<int64_t>(payload + 8);
  frame.record.key = std::string_view(payload + payload_fixed_bytes, key_bytes);
  frame.record.data = std::string_view(payload + payload_fixed_bytes + key_bytes,
                                       payload_bytes - payload_fixed_bytes - key_bytes);
  return frame;
}

FrameHead peek_frame_head(std::string_view bytes) {
  return {load_le<uint32_t>(bytes.data()), load_le<uint32_t>(bytes.data() + 4),
          load_le<uint32_t>(bytes.data() + frame_header_bytes + 16)};
}

int64_t peek_arrival_time_us(std::string_view bytes) {
  return load_le<int64_t>(bytes.data() + frame_header_bytes + 8);
}

}  // namespace shardpipe::local::detail
