// Every metric family shardpipe exposes (CONTRACT section 6), in one table: name, type, label
// names, the HELP text of the exposition, and what the number means to an operator. The pipe's
// metrics are registered from these entries (pipe_metrics.cpp), `shardpipe metrics reference`
// prints them as Markdown (the metrics reference in docs/monitoring.md), and the tests check the
// shipped dashboard and alert rules against them, so a name cannot drift in one place only.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "observe/metrics_registry.hpp"

namespace shardpipe {

struct MetricFamily {
  std::string_view name;
  observe::MetricType type;
  std::span<const std::string_view> labels;  // label names, in the order they are written
  std::string_view help;                     // the HELP line of the exposition
  std::string_view meaning;                  // what it tells an operator, when to worry
};

namespace metric_labels {
inline constexpr std::array<std::string_view, 1> pipe{"pipe"};
inline constexpr std::array<std::string_view, 2> pipe_shard{"pipe", "shard"};
inline constexpr std::array<std::string_view, 2> pipe_outcome{"pipe", "outcome"};
inline constexpr std::array<std::string_view, 2> pipe_condition{"pipe", "condition"};
}  // namespace metric_labels

namespace metric {

inline constexpr MetricFamily records_read{
    .name = "shardpipe_records_read_total",
    .type = observe::MetricType::counter,
    .labels = metric_labels::pipe_shard,
    .help = "Records read from the source.",
    .meaning =
        "Input throughput, per shard, before the filter. Its rate is records read per second. "
        "Flat while `status` shows records behind means the shard is not being read: no lease, "
        "a stopped shard, or reading paused because the records in flight wait for a slow "
        "target. Records read again after a restart or a lease move count again.",
};

inline constexpr MetricFamily records_delivered{
    .name = "shardpipe_records_delivered_total",
    .type = observe::MetricType::counter,
    .labels = metric_labels::pipe,
    .help = "Records the target accepted.",
    .meaning =
        "Output throughput. Over time it follows records read minus those filtered and "
        "dead-lettered. No increase while records are read means delivery is failing or "
        "blocked: look at the attempts by outcome.",
};

inline constexpr MetricFamily records_filtered{
    .name = "shardpipe_records_filtered_total",
    .type = observe::MetricType::counter,
    .labels = metric_labels::pipe,
    .help = "Records the filter dropped.",
    .meaning =
        "Records handled without delivery because the `filter` did not match. A sudden change in "
        "its share of the records read usually means the input changed shape or the filter "
        "changed.",
};

inline constexpr MetricFamily records_dead_lettered{
    .name = "shardpipe_records_dead_lettered_total",
    .type = observe::MetricType::counter,
    .labels = metric_labels::pipe_condition,
    .help = "Records sent to the dead letters, by condition.",
    .meaning =
        "Every increase deserves a look: these records were not delivered. `condition` is "
        "`RetryAttemptsExhausted` or `MaximumRecordAgeExceeded` (the target failed for too long), "
        "`DecodeError` (a record not in `data_encoding`), `TransformError` (the input "
        "transform failed) or `DataLost`: not a record but a gap, records the source removed "
        "past its retention before they were read (DynamoDB Streams' 24 hours); counted even "
        "without a dead-letter destination, and never normal. `shardpipe dlq list` shows them, "
        "`shardpipe dlq replay` sends the records again.",
};

inline constexpr MetricFamily delivery_attempts{
    .name = "shardpipe_delivery_attempts_total",
    .type = observe::MetricType::counter,
    .labels = metric_labels::pipe_outcome,
    .help = "Delivery attempts to the target, by outcome.",
    .meaning =
        "Attempts to deliver a batch or a part of one; `outcome` is `success`, "
        "`partial_failure` or `failure`. A growing share of `failure` or `partial_failure` "
        "means the target rejects records or cannot be reached; the records wait and are "
        "retried, so lag and then dead letters follow.",
};

inline constexpr MetricFamily delivery_retries{
    .name = "shardpipe_delivery_retries_total",
    .type = observe::MetricType::counter,
    .labels = metric_labels::pipe,
    .help = "Delivery attempts after a failed one.",
    .meaning =
        "A steady rate means a flaky target; each retry waits its backoff, so batches take "
        "longer. Retries without any successful attempt mean the target is down.",
};

inline constexpr MetricFamily delivery_bisections{
    .name = "shardpipe_delivery_bisections_total",
    .type = observe::MetricType::counter,
    .labels = metric_labels::pipe,
    .help = "Failed batches split in two.",
    .meaning =
        "Only with `bisect_batch_on_error`. Increases mean batches fail as a whole and are "
        "being narrowed down to the records that fail: expect dead letters to follow.",
};

inline constexpr MetricFamily iterator_age{
    .name = "shardpipe_iterator_age_milliseconds",
    .type = observe::MetricType::gauge,
    .labels = metric_labels::pipe_shard,
    .help = "Milliseconds between now and the arrival of the last record read; 0 when caught up.",
    .meaning =
        "The read lag: how far behind the newest records each shard is read. Near 0 when "
        "caught up; a steady climb means the pipe falls behind (a slow target, batches too "
        "small). It measures reading, not delivery: while the target fails, shardpipe reads on "
        "until its cap of records in flight, so the age can stay near 0 and then holds its last "
        "value while reading is paused; it also keeps its last value after the shard stops "
        "here. Alert on its maximum per pipe, together with the delivery metrics.",
};

inline constexpr MetricFamily records_behind{
    .name = "shardpipe_records_behind",
    .type = observe::MetricType::gauge,
    .labels = metric_labels::pipe_shard,
    .help = "Records of the shard after its checkpoint: not yet handled, as `status` counts them.",
    .meaning =
        "The delivery lag in records, per shard this worker holds, refreshed every 5 seconds. "
        "Unlike the iterator age it keeps growing while the target fails, since the checkpoint "
        "cannot move: the number to alert on for a stuck pipe.",
};

inline constexpr MetricFamily millis_behind{
    .name = "shardpipe_millis_behind",
    .type = observe::MetricType::gauge,
    .labels = metric_labels::pipe_shard,
    .help = "Milliseconds between now and the arrival of the oldest record not yet checkpointed.",
    .meaning =
        "The delivery lag in time (CloudWatch's MillisBehindLatest, measured at the checkpoint): "
        "0 when everything is handled. A steady climb means records wait longer and longer; "
        "compare it with `maximum_record_age` if one is set.",
};

inline constexpr MetricFamily in_flight_records{
    .name = "shardpipe_in_flight_records",
    .type = observe::MetricType::gauge,
    .labels = metric_labels::pipe,
    .help = "Records read and not yet handled, across the pipe's shards.",
    .meaning =
        "At `max_in_flight_records` reading pauses (backpressure): the target is the "
        "bottleneck. Well below it while records are behind means reading or batching is.",
};

inline constexpr MetricFamily in_flight_bytes{
    .name = "shardpipe_in_flight_bytes",
    .type = observe::MetricType::gauge,
    .labels = metric_labels::pipe,
    .help = "Bytes of the records read and not yet handled, across the pipe's shards.",
    .meaning =
        "The memory the records in flight hold; reading pauses at `max_in_flight_bytes`, which "
        "bounds the pipe's memory whatever the backlog.",
};

inline constexpr MetricFamily batch_duration{
    .name = "shardpipe_batch_duration_seconds",
    .type = observe::MetricType::histogram,
    .labels = metric_labels::pipe,
    .help = "Seconds to deliver one batch, retries and dead letters included.",
    .meaning =
        "Exposed as `_bucket{le}`, `_sum` and `_count`, with buckets from 5 ms to 60 s. A p99 "
        "well above the target's own latency means retries and backoff; near the batch window "
        "it bounds throughput per shard.",
};

inline constexpr MetricFamily leases_held{
    .name = "shardpipe_leases_held",
    .type = observe::MetricType::gauge,
    .labels = metric_labels::pipe,
    .help = "Shard leases this worker holds.",
    .meaning =
        "The shards this worker reads. 0 while the pipe should run means it reads nothing: "
        "another worker holds the leases, the checkpoint store refuses them, or every shard is "
        "finished. It drops to 0 when the worker stops.",
};

inline constexpr MetricFamily checkpoints{
    .name = "shardpipe_checkpoints_total",
    .type = observe::MetricType::counter,
    .labels = metric_labels::pipe,
    .help = "Checkpoints written to the checkpoint store.",
    .meaning =
        "Progress made durable: up to one write per shard per second while records are "
        "handled. No increase while records are delivered means the checkpoint store is "
        "unreachable or an unhandled record holds the checkpoint back: a restart would read "
        "those records again.",
};

}  // namespace metric

// Every family, in the order the reference lists them.
inline constexpr std::array<const MetricFamily*, 15> metric_catalog{
    &metric::records_read,          &metric::records_delivered, &metric::records_filtered,
    &metric::records_dead_lettered, &metric::delivery_attempts, &metric::delivery_retries,
    &metric::delivery_bisections,   &metric::iterator_age,      &metric::records_behind,
    &metric::millis_behind,         &metric::in_flight_records, &metric::in_flight_bytes,
    &metric::batch_duration,        &metric::leases_held,       &metric::checkpoints,
};

// The family named `name`, or nullptr.
const MetricFamily* find_metric_family(std::string_view name);

// The family a sample or series name belongs to: the name itself, or for histograms the name
// without `_bucket`, `_sum` or `_count`. nullptr when no family has it.
const MetricFamily* metric_family_of_series(std::string_view series);

// "counter", "gauge" or "histogram", as in the exposition's TYPE line.
std::string_view metric_type_name(observe::MetricType type);

// The metrics reference in Markdown, between the markers below (HTML comments, so the text
// stands alone and can also replace the region of a longer document).
inline constexpr std::string_view metrics_reference_begin =
    "<!-- BEGIN GENERATED: shardpipe metrics reference -->";
inline constexpr std::string_view metrics_reference_end =
    "<!-- END GENERATED: shardpipe metrics reference -->";
std::string metrics_reference_markdown();

// The region of `document` from the begin marker to the end marker, both included; nullopt when
// either is missing or out of order.
std::optional<std::string> generated_metrics_region(std::string_view document);
// `document` with that region replaced by `region`; nullopt when the markers are missing.
std::optional<std::string> replace_generated_metrics_region(std::string_view document,
                                                            std::string_view region);

}  // namespace shardpipe
