#include "pipeline/checkpoint_tracker.hpp"

namespace shardpipe {

uint64_t CheckpointTracker::track(std::string sequence_number) {
  entries_.push_back({std::move(sequence_number), false});
  return next_ordinal_++;
}

void CheckpointTracker::handled(uint64_t ordinal) {
  if (ordinal < first_ordinal_ || ordinal >= first_ordinal_ + entries_.size()) return;
  entries_[ordinal - first_ordinal_].handled = true;
  while (!entries_.empty() && entries_.front().handled) {
    safe_sequence_ = std::move(entries_.front().sequence_number);
    entries_.pop_front();
    ++first_ordinal_;
  }
}

std::optional<std::string> CheckpointTracker::checkpointable() const {
  if (!checkpoint_pending()) return std::nullopt;
  return safe_sequence_;
}

void CheckpointTracker::mark_checkpointed(const std::string& sequence_number) {
  checkpointed_sequence_ = sequence_number;
}

size_t CheckpointTracker::in_flight() const {
  return entries_.size();
}

void CheckpointTracker::abandon() {
  first_ordinal_ = next_ordinal_;
  entries_.clear();
  safe_sequence_.clear();
  checkpointed_sequence_.clear();
}

}  // namespace shardpipe
