#include "sources/kafka/partition_queue.hpp"

#include <cstdint>

namespace shardpipe::kafka {

bool PartitionQueue::push(ConsumedMessage message) {
  std::lock_guard lock(mutex_);
  if (closed_ || seeking_) return true;
  bytes_ += bytes_of(message);
  messages_.push_back(std::move(message));
  // A reader waiting for a fuller batch is woken once, when it has one; not per message.
  if (messages_.size() == 1 || messages_.size() == wanted_ || bytes_ >= wanted_bytes_) {
    arrived_.notify_one();
  }
  if (paused_ || (messages_.size() < max_messages_ && bytes_ < max_bytes_)) return false;
  paused_ = true;
  return true;
}

bool PartitionQueue::take_resume_request() {
  std::lock_guard lock(mutex_);
  if (!resume_requested_) return false;
  resume_requested_ = false;
  paused_ = false;
  return true;
}

std::vector<ConsumedMessage> PartitionQueue::pop(size_t max_messages, size_t max_bytes,
                                                 std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, wait, [&] { return closed_ || !messages_.empty(); });
  // Messages arrive one by one from the poll thread: a short wait for a fuller batch saves
  // the engine thousands of tiny ones.
  if (!closed_ && !messages_.empty() && messages_.size() < max_messages && bytes_ < max_bytes) {
    wanted_ = max_messages;
    wanted_bytes_ = max_bytes;
    arrived_.wait_for(lock, batching_wait, [&] {
      return closed_ || messages_.size() >= max_messages || bytes_ >= max_bytes;
    });
    wanted_ = 0;
    wanted_bytes_ = SIZE_MAX;
  }
  std::vector<ConsumedMessage> out;
  size_t taken_bytes = 0;
  while (!closed_ && !messages_.empty() && out.size() < max_messages &&
         (out.empty() || taken_bytes + bytes_of(messages_.front()) <= max_bytes)) {
    auto& message = messages_.front();
    taken_bytes += bytes_of(message);
    bytes_ -= bytes_of(message);
    next_offset_ = offset_of(message) + 1;
    out.push_back(std::move(message));
    messages_.pop_front();
  }
  if (paused_ && messages_.size() <= max_messages_ / 2 && bytes_ <= max_bytes_ / 2) {
    resume_requested_ = true;
  }
  return out;
}

void PartitionQueue::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  messages_.clear();
  bytes_ = 0;
  arrived_.notify_all();
}

bool PartitionQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

int64_t PartitionQueue::next_offset() const {
  std::lock_guard lock(mutex_);
  return next_offset_;
}

void PartitionQueue::restart_at(int64_t offset) {
  std::lock_guard lock(mutex_);
  messages_.clear();
  bytes_ = 0;
  next_offset_ = offset;
}

void PartitionQueue::set_seeking(bool seeking) {
  std::lock_guard lock(mutex_);
  seeking_ = seeking;
  messages_.clear();
  bytes_ = 0;
}

}  // namespace shardpipe::kafka
