// The pipe's `retry` section as decisions: when a record has been tried enough, and when it is
// too old to try again (CONTRACT section 2; the semantics of Lambda's event source mappings).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "config/pipe_config.hpp"
#include "core/result.hpp"

namespace shardpipe {

struct RetryPolicy {
  int maximum_retry_attempts = -1;                              // -1: until maximum_record_age
  std::optional<std::chrono::milliseconds> maximum_record_age;  // nullopt: forever
  bool bisect_batch_on_error = false;
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{30000};

  static RetryPolicy from(const config::RetryConfig& retry) {
    return {retry.maximum_retry_attempts, retry.maximum_record_age, retry.bisect_batch_on_error,
            retry.backoff_initial, retry.backoff_max};
  }

  // After `failures` failed attempts ending in `last_error`, may the record be tried again?
  // A permanent error (a 4xx, say) is retried only up to maximum_retry_attempts, and not at all
  // when retries are unlimited: it would block the shard forever.
  bool may_retry(int failures, const Error& last_error) const {
    if (last_error.kind == ErrorClass::permanent && maximum_retry_attempts < 0) return false;
    return maximum_retry_attempts < 0 || failures <= maximum_retry_attempts;
  }

  // True when a record that arrived at `arrival_ms` is too old to be tried (again) at `now_ms`.
  bool expired(int64_t arrival_ms, int64_t now_ms) const {
    return maximum_record_age && arrival_ms > 0 &&
           now_ms - arrival_ms > maximum_record_age->count();
  }
};

}  // namespace shardpipe
