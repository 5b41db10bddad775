// The `retry` section: how long a failing batch is retried before its records are dead-lettered.
#include "config/properties.hpp"
#include "config/property_store.hpp"

namespace shardpipe::config {

std::span<const Property> retry_properties() {
  static const std::vector<Property> table = {
      {.key = "maximum_retry_attempts",
       .type = ValueType::integer,
       .default_text = "-1",
       .bounds = {.min = 0, .max = 10'000, .minus_one_allowed = true},
       .description = "How often a failed record is retried before it goes to the dead "
                      "letters. -1 retries until maximum_record_age is reached; a permanent "
                      "error (an HTTP 4xx other than 408 and 429) is then dead-lettered at "
                      "once. A value other than -1 needs a dead_letter section.",
       .example = "10",
       .store = member(&RetryConfig::maximum_retry_attempts)},
      {.key = "maximum_record_age",
       .type = ValueType::duration,
       .default_text = "-1",
       .bounds = {.min = 60'000, .max = 604'800'000, .minus_one_allowed = true},
       .description = "Records that arrived in the source longer ago than this are "
                      "dead-lettered instead of tried (again); -1 keeps retrying forever. A "
                      "value other than -1 needs a dead_letter section.",
       .example = "1h",
       .store = member(&RetryConfig::maximum_record_age)},
      {.key = "bisect_batch_on_error",
       .type = ValueType::boolean,
       .default_text = "false",
       .description = "Split a batch that fails as a whole in two and deliver the halves, "
                      "recursively, to isolate the records that fail; a split is not counted as "
                      "an attempt.",
       .example = "true",
       .store = member(&RetryConfig::bisect_batch_on_error)},
      {.key = "backoff_initial",
       .type = ValueType::duration,
       .default_text = "100ms",
       .bounds = {.min = 1, .max = 3'600'000},
       .description = "The wait before the first retry; later waits double, with jitter, up to "
                      "backoff_max. Must not exceed backoff_max.",
       .example = "500ms",
       .store = member(&RetryConfig::backoff_initial)},
      {.key = "backoff_max",
       .type = ValueType::duration,
       .default_text = "30s",
       .bounds = {.min = 1, .max = 3'600'000},
       .description = "The longest wait between two retries.",
       .example = "1m",
       .store = member(&RetryConfig::backoff_max)},
  };
  return table;
}

}  // namespace shardpipe::config
