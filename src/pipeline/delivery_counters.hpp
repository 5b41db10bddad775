// Counters of the delivery engine, per pipe, shared by its shards (lock-free). The metrics
// endpoint exposes them as shardpipe_delivery_attempts_total{outcome},
// shardpipe_records_delivered_total, shardpipe_records_filtered_total and
// shardpipe_records_dead_lettered_total{condition}.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace shardpipe {

enum class AttemptOutcome { success, partial_failure, failure };
enum class DeadLetterCondition {
  retry_attempts_exhausted,
  maximum_record_age_exceeded,
  decode_error,
  transform_error,
  data_lost,  // records the source removed before they were read (a gap, not a record)
};

constexpr std::string_view to_string(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::success:
      return "success";
    case AttemptOutcome::partial_failure:
      return "partial_failure";
    case AttemptOutcome::failure:
      return "failure";
  }
  return "unknown";
}

// The names of CONTRACT section 4.
constexpr std::string_view to_string(DeadLetterCondition condition) {
  switch (condition) {
    case DeadLetterCondition::retry_attempts_exhausted:
      return "RetryAttemptsExhausted";
    case DeadLetterCondition::maximum_record_age_exceeded:
      return "MaximumRecordAgeExceeded";
    case DeadLetterCondition::decode_error:
      return "DecodeError";
    case DeadLetterCondition::transform_error:
      return "TransformError";
    case DeadLetterCondition::data_lost:
      return "DataLost";
  }
  return "unknown";
}

struct DeliveryCounters {
  std::array<std::atomic<uint64_t>, 3> attempts{};  // by AttemptOutcome
  std::atomic<uint64_t> retries{0};                 // attempts after a failed one
  std::atomic<uint64_t> bisections{0};              // failed batches split in two
  std::atomic<uint64_t> records_delivered{0};
  std::atomic<uint64_t> records_filtered{0};
  std::array<std::atomic<uint64_t>, 5> dead_lettered{};  // by DeadLetterCondition

  void count(AttemptOutcome outcome) { attempts[static_cast<size_t>(outcome)]++; }
  void count(DeadLetterCondition condition, uint64_t records) {
    dead_lettered[static_cast<size_t>(condition)] += records;
  }
  uint64_t attempts_of(AttemptOutcome outcome) const {
    return attempts[static_cast<size_t>(outcome)].load();
  }
  uint64_t dead_lettered_of(DeadLetterCondition condition) const {
    return dead_lettered[static_cast<size_t>(condition)].load();
  }
};

}  // namespace shardpipe
