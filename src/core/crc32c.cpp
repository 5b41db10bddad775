#include "core/crc32c.hpp"

#include <boost/crc.hpp>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace shardpipe {
namespace {

// Portable path: Boost.CRC with the Castagnoli polynomial, reflected, as RFC 3720 defines it.
uint32_t crc32c_portable(uint32_t crc, const void* data, size_t size) {
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> engine(crc ^ 0xFFFFFFFF);
  engine.process_bytes(data, size);
  return engine.checksum();
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(uint32_t crc, const void* data,
                                                        size_t size) {
  auto* bytes = static_cast<const unsigned char*>(data);
  uint64_t state = ~crc;
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, bytes, 8);
    state = _mm_crc32_u64(state, word);
    bytes += 8;
    size -= 8;
  }
  auto state32 = static_cast<uint32_t>(state);
  while (size-- > 0) state32 = _mm_crc32_u8(state32, *bytes++);
  return ~state32;
}

bool cpu_has_sse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace

uint32_t crc32c_extend(uint32_t crc, const void* data, size_t size) {
#if defined(__x86_64__)
  if (cpu_has_sse42()) return crc32c_sse42(crc, data, size);
#endif
  return crc32c_portable(crc, data, size);
}

}  // namespace shardpipe
