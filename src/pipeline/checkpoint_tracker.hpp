// Decides how far a shard's checkpoint may move: to the last record below which every record is
// handled (delivered, filtered out or dead-lettered), whatever order the acknowledgements come in.
// Caps how many records may be in flight, which is the engine's backpressure.
// Used by the one thread that runs a shard's consumer, so it takes no locks.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace shardpipe {

class CheckpointTracker {
 public:
  explicit CheckpointTracker(size_t max_in_flight) : max_in_flight_(max_in_flight) {}

  // Registers the next record in shard order; returns its ordinal.
  uint64_t track(std::string sequence_number);
  // Marks a record handled. Unknown or already-checkpointed ordinals are ignored.
  void handled(uint64_t ordinal);

  // The sequence number the checkpoint may move to, if it moved since the last call to
  // mark_checkpointed().
  std::optional<std::string> checkpointable() const;
  void mark_checkpointed(const std::string& sequence_number);
  // True when checkpointable() has a value: handled records not yet written to the store.
  bool checkpoint_pending() const {
    return !safe_sequence_.empty() && safe_sequence_ != checkpointed_sequence_;
  }

  size_t in_flight() const;
  bool full() const { return in_flight() >= max_in_flight_; }
  bool all_handled() const { return in_flight() == 0; }
  // Forgets everything in flight (lease lost or checkpoint reset): nothing of it may be
  // checkpointed.
  void abandon();

 private:
  struct Entry {
    std::string sequence_number;
    bool handled = false;
  };

  size_t max_in_flight_;
  uint64_t next_ordinal_ = 0;
  uint64_t first_ordinal_ = 0;  // ordinal of entries_.front()
  std::deque<Entry> entries_;
  std::string safe_sequence_;          // the last record below which all are handled
  std::string checkpointed_sequence_;  // what was last written to the store
};

}  // namespace shardpipe
