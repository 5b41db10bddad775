// Decides how far a shard's checkpoint may move: to the last record below which every record is
// handled (delivered, filtered out or dead-lettered), whatever order the acknowledgements come in
// (lanes of a shard finish out of order). Caps how many records of the shard may be tracked, and
// charges the records not yet handled to the pipe's in-flight budget.
// Thread-safe: the shard's reader tracks records and its delivery lanes mark them handled.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "pipeline/in_flight_budget.hpp"

namespace shardpipe {

class CheckpointTracker {
 public:
  // `budget` may be null: only the per-shard cap applies.
  explicit CheckpointTracker(size_t max_in_flight, InFlightBudget* budget = nullptr)
      : max_in_flight_(max_in_flight), budget_(budget) {}
  ~CheckpointTracker();
  CheckpointTracker(const CheckpointTracker&) = delete;
  CheckpointTracker& operator=(const CheckpointTracker&) = delete;

  // Registers the next record in shard order, `bytes` in memory until handled; returns its
  // ordinal.
  uint64_t track(std::string sequence_number, size_t bytes = 0);
  // Marks records handled, all under one lock, so that the checkpoint never moves to a point
  // inside the group (a file's records become checkpointable together). Unknown or
  // already-handled ordinals are ignored.
  void handled(std::span<const uint64_t> ordinals);
  void handled(uint64_t ordinal) { handled(std::span(&ordinal, 1)); }

  // The sequence number the checkpoint may move to, if it moved since the last call to
  // mark_checkpointed().
  std::optional<std::string> checkpointable() const;
  void mark_checkpointed(const std::string& sequence_number);
  // True when checkpointable() has a value: handled records not yet written to the store.
  bool checkpoint_pending() const;

  // Records tracked and not yet passed by the checkpointable prefix.
  size_t in_flight() const;
  size_t room() const;
  bool full() const { return room() == 0; }
  bool all_handled() const { return in_flight() == 0; }
  // Forgets everything in flight (lease lost or checkpoint reset): nothing of it may be
  // checkpointed.
  void abandon();

 private:
  struct Entry {
    std::string sequence_number;
    size_t bytes = 0;
    bool handled = false;
  };

  bool pending_locked() const {
    return !safe_sequence_.empty() && safe_sequence_ != checkpointed_sequence_;
  }
  void give_back_unhandled_locked();

  const size_t max_in_flight_;
  InFlightBudget* const budget_;
  mutable std::mutex mutex_;
  uint64_t next_ordinal_ = 0;
  uint64_t first_ordinal_ = 0;  // ordinal of entries_.front()
  std::deque<Entry> entries_;
  size_t unhandled_records_ = 0;  // charged to the budget
  size_t unhandled_bytes_ = 0;
  std::string safe_sequence_;          // the last record below which all are handled
  std::string checkpointed_sequence_;  // what was last written to the store
};

}  // namespace shardpipe
