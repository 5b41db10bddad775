// Groups a shard's records into batches, closed by whichever limit comes first: batch_size
// records, maximum_batch_bytes of envelopes, or maximum_batching_window after the first record.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <vector>

#include "core/record.hpp"

namespace shardpipe {

class Batcher {
 public:
  using Clock = std::chrono::steady_clock;

  Batcher(size_t max_records, size_t max_bytes, std::chrono::milliseconds window)
      : max_records_(max_records), max_bytes_(max_bytes), window_(window) {}

  void add(Record record, Clock::time_point now);
  // The oldest batch that is ready at `now`, if any.
  std::optional<std::vector<Record>> pop_ready(Clock::time_point now);
  // Every record held, as one or more batches, ready or not (shard end, shutdown).
  std::optional<std::vector<Record>> pop_any();
  // When the open batch's window ends (nullopt: no open batch).
  std::optional<Clock::time_point> deadline() const;
  bool empty() const { return closed_.empty() && open_.empty(); }
  size_t size() const;
  void clear();

 private:
  void close_open();

  size_t max_records_;
  size_t max_bytes_;
  std::chrono::milliseconds window_;
  std::deque<std::vector<Record>> closed_;
  std::vector<Record> open_;
  size_t open_bytes_ = 0;
  Clock::time_point open_since_{};
};

}  // namespace shardpipe
