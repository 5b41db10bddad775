// The pipe-wide cap on records read but not yet handled, in records and in bytes: the engine's
// backpressure. Every shard reads only while the budget has room, so a slow target slows reading
// instead of growing memory. Shared by the consumers of one pipe; updates are lock-free.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace shardpipe {

class InFlightBudget {
 public:
  InFlightBudget(size_t max_records, size_t max_bytes)
      : max_records_(max_records), max_bytes_(max_bytes) {}

  // How much more may be read now. Never quite zero bytes while records are allowed, so that a
  // record bigger than the whole byte budget can still be read once nothing else is in flight.
  size_t records_room() const {
    auto used = records_.load(std::memory_order_relaxed);
    return used >= max_records_ ? 0 : max_records_ - used;
  }
  size_t bytes_room() const {
    auto used = bytes_.load(std::memory_order_relaxed);
    if (used == 0) return std::max<size_t>(max_bytes_, 1);
    return used >= max_bytes_ ? 0 : max_bytes_ - used;
  }
  bool exhausted() const { return records_room() == 0 || bytes_room() == 0; }

  void take(size_t records, size_t bytes) {
    records_.fetch_add(records, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  void give_back(size_t records, size_t bytes) {
    records_.fetch_sub(records, std::memory_order_relaxed);
    bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  }

  size_t records_in_flight() const { return records_.load(std::memory_order_relaxed); }
  size_t bytes_in_flight() const { return bytes_.load(std::memory_order_relaxed); }
  size_t max_records() const { return max_records_; }
  size_t max_bytes() const { return max_bytes_; }

 private:
  size_t max_records_;
  size_t max_bytes_;
  std::atomic<size_t> records_{0};
  std::atomic<size_t> bytes_{0};
};

}  // namespace shardpipe
