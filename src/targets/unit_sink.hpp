// The buffering half of an exactly-once target (file, s3): records gathered in shard order into
// units of at most `records_per_unit`, each unit written whole by the target and only then
// reported delivered.
//
// A unit ends where it is full, so where one ends depends only on where the previous one ended;
// from a checkpoint (always at a unit boundary) a replay rebuilds the same units. A unit closed
// before it is full (a flush: shard end, shutdown, idle, in-flight caps) ends where a replay would
// not end it, so flush() asks the engine to checkpoint at once (`checkpoint_now`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "targets/target.hpp"

namespace shardpipe {

class UnitSink : public ShardSink {
 public:
  explicit UnitSink(size_t records_per_unit) : records_per_unit_(records_per_unit) {}

  DeliveryOutcome deliver(std::span<const Record> batch) final;
  DeliveryOutcome flush() final;
  size_t pending() const final { return ordinals_.size(); }
  bool buffering() const final { return true; }

 protected:
  // Writes one unit durably: `first_sequence` names it, `content` is its records' envelopes as
  // JSON Lines. On failure the unit stays buffered and is written again at the next attempt.
  virtual Status write_unit(const std::string& first_sequence, std::string_view content) = 0;

 private:
  bool full() const { return ordinals_.size() >= records_per_unit_; }
  bool write_current(DeliveryOutcome& outcome);

  size_t records_per_unit_;
  std::string first_sequence_;
  std::string content_;
  std::vector<uint64_t> ordinals_;
};

}  // namespace shardpipe
