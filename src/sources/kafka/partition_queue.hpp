// The messages of one assigned partition between the consumer's poll thread, which fills it, and
// the partition's reader, which empties it. The poll thread pauses the partition at Kafka while
// the queue is full (and keeps polling, so the member stays in the group) and resumes it once the
// reader drained half; pausing and resuming stay on the poll thread, so they cannot cross.
// Revocation closes the queue: its reader then reads nothing more.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "sources/kafka/consumed_message.hpp"

namespace shardpipe::kafka {

class PartitionQueue {
 public:
  PartitionQueue(size_t max_messages, size_t max_bytes, int64_t next_offset)
      : max_messages_(max_messages), max_bytes_(max_bytes), next_offset_(next_offset) {}

  // Poll thread. True when the queue just became full: the caller pauses the partition.
  bool push(ConsumedMessage message);
  // Poll thread. True once when a paused partition has room again: the caller resumes it.
  bool take_resume_request();
  // Reader. Up to `max_messages` / about `max_bytes`, waiting up to `wait` for the first.
  std::vector<ConsumedMessage> pop(size_t max_messages, size_t max_bytes,
                                   std::chrono::milliseconds wait);

  void close();  // revoked
  bool closed() const;
  // The offset after the last message handed to the reader (or where the assignment started).
  int64_t next_offset() const;
  // A reader that starts elsewhere (a seek): drops what is queued; `offset` is where it starts,
  // or a negative logical offset (beginning, end) until the first message arrives.
  void restart_at(int64_t offset);
  // While a seek is in progress, the poll thread's messages for this partition are dropped.
  void set_seeking(bool seeking);

 private:
  const size_t max_messages_;
  const size_t max_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<ConsumedMessage> messages_;
  size_t bytes_ = 0;
  int64_t next_offset_;
  bool paused_ = false;
  bool resume_requested_ = false;
  // What a reader waiting for a fuller batch wants (0 / SIZE_MAX: none waits).
  size_t wanted_ = 0;
  size_t wanted_bytes_ = SIZE_MAX;
  static constexpr std::chrono::milliseconds batching_wait{5};
  bool closed_ = false;
  bool seeking_ = false;
};

}  // namespace shardpipe::kafka
