#include "pipeline/checkpoint_tracker.hpp"

namespace shardpipe {

CheckpointTracker::~CheckpointTracker() {
  give_back_unhandled_locked();
}

uint64_t CheckpointTracker::track(std::string sequence_number, size_t bytes) {
  std::lock_guard lock(mutex_);
  entries_.push_back({std::move(sequence_number), bytes, false});
  ++unhandled_records_;
  unhandled_bytes_ += bytes;
  if (budget_) budget_->take(1, bytes);
  return next_ordinal_++;
}

void CheckpointTracker::handled(std::span<const uint64_t> ordinals) {
  std::lock_guard lock(mutex_);
  size_t records = 0;
  size_t bytes = 0;
  for (uint64_t ordinal : ordinals) {
    if (ordinal < first_ordinal_ || ordinal >= first_ordinal_ + entries_.size()) continue;
    Entry& entry = entries_[ordinal - first_ordinal_];
    if (entry.handled) continue;
    entry.handled = true;
    ++records;
    bytes += entry.bytes;
  }
  unhandled_records_ -= records;
  unhandled_bytes_ -= bytes;
  if (budget_ && records > 0) budget_->give_back(records, bytes);
  while (!entries_.empty() && entries_.front().handled) {
    safe_sequence_ = std::move(entries_.front().sequence_number);
    entries_.pop_front();
    ++first_ordinal_;
  }
}

std::optional<std::string> CheckpointTracker::checkpointable() const {
  std::lock_guard lock(mutex_);
  if (!pending_locked()) return std::nullopt;
  return safe_sequence_;
}

void CheckpointTracker::mark_checkpointed(const std::string& sequence_number) {
  std::lock_guard lock(mutex_);
  checkpointed_sequence_ = sequence_number;
}

bool CheckpointTracker::checkpoint_pending() const {
  std::lock_guard lock(mutex_);
  return pending_locked();
}

size_t CheckpointTracker::in_flight() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

size_t CheckpointTracker::room() const {
  std::lock_guard lock(mutex_);
  return entries_.size() >= max_in_flight_ ? 0 : max_in_flight_ - entries_.size();
}

void CheckpointTracker::abandon() {
  std::lock_guard lock(mutex_);
  give_back_unhandled_locked();
  first_ordinal_ = next_ordinal_;
  entries_.clear();
  safe_sequence_.clear();
  checkpointed_sequence_.clear();
}

void CheckpointTracker::give_back_unhandled_locked() {
  if (budget_) budget_->give_back(unhandled_records_, unhandled_bytes_);
  unhandled_records_ = 0;
  unhandled_bytes_ = 0;
}

}  // namespace shardpipe
