// Wall-clock time as the stores and entries record it.
#pragma once

#include <chrono>
#include <cstdint>

namespace shardpipe {

inline int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace shardpipe
