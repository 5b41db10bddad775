// Delivers one batch to a shard's sink until every record in it is handled: delivered, or
// durably dead-lettered. This is where the retry policy lives (CONTRACT section 2 `retry`):
//
// - a failed attempt is retried after an exponential, jittered backoff;
// - a partial batch failure retries only the failed records, plus the later records of the same
//   partition keys, so no record of a key counts as delivered before an earlier failed one;
// - with bisect_batch_on_error, a batch that fails as a whole is split in halves, recursively,
//   to isolate the records that fail (a split is not counted as an attempt, as in Lambda);
// - a record whose attempts are exhausted, or that is older than maximum_record_age, goes to the
//   dead letters; without a dead-letter destination the shard stops instead of losing it.
//
// Buffering sinks (the file target) fail by unit, not by record: their failures are retried
// without limit and never dead-letter a record (see targets/target.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/record.hpp"
#include "core/result.hpp"
#include "pipeline/delivery_counters.hpp"
#include "pipeline/retry_policy.hpp"
#include "targets/dead_letter/dead_letters.hpp"
#include "targets/target.hpp"

namespace shardpipe {

class BatchDelivery {
 public:
  // What the delivery needs from the shard that owns it.
  struct Hooks {
    // Delivered or dead-lettered, all at once: a checkpoint never lands inside the group, so a
    // file's records are checkpointed together or not at all.
    std::function<void(std::span<const uint64_t> ordinals)> handled;
    std::function<bool(std::chrono::milliseconds)> wait;  // false: stop now (lease lost, ...)
    std::function<bool()> checkpoint_now;                 // a buffering sink closed a unit
    std::function<void(Error)> fatal;                     // the shard cannot go on
    std::function<int64_t()> now_ms;                      // wall clock, for record ages
  };

  // `dead_letters` may be null: a record that would go there stops the shard instead.
  BatchDelivery(RetryPolicy policy, DeadLetterDestination* dead_letters, DeliveryCounters& counters,
                std::string source_type, std::string shard_id, Hooks hooks);

  // Returns true once every record of `batch` is handled (or, for a buffering sink, taken);
  // false when told to stop first. Consumes `batch`.
  bool deliver(ShardSink& sink, std::vector<Record>& batch);

  // Writes dead letters for `records` durably, retrying as long as it takes (never lose a record
  // on its way to the dead letters), then counts them handled. False when told to stop first.
  bool dead_letter(std::span<const Record* const> records, DeadLetterCondition condition,
                   const Error& error, std::span<const int> attempts);

 private:
  // A buffering sink takes `records`, its own (unit) errors retried here until the unit is
  // written; what it refuses before taking anything comes back for the records. Sets
  // `stopped_` when told to stop meanwhile.
  DeliveryOutcome buffer(ShardSink& sink, std::span<const Record> records);
  bool deliver_group(ShardSink& sink, std::vector<Record> records, std::vector<int> failures,
                     bool expire_by_age = true);
  bool dead_letter_expired(std::vector<Record>& records, std::vector<int>& failures);
  void mark_delivered(const std::vector<uint64_t>& ordinals);

  RetryPolicy policy_;
  DeadLetterDestination* dead_letters_;
  DeliveryCounters& counters_;
  std::string source_type_;
  std::string shard_id_;
  Hooks hooks_;
  bool stopped_ = false;  // told to stop while a buffering sink's unit was being retried
};

}  // namespace shardpipe
