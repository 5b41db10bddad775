// CRC32C (Castagnoli), the checksum of every local-log frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shardpipe {

// Extends `crc` (0 to start) over `size` bytes. Uses the SSE4.2 instruction when the CPU has it.
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t size);

inline uint32_t crc32c(std::string_view bytes) {
  return crc32c_extend(0, bytes.data(), bytes.size());
}

}  // namespace shardpipe
