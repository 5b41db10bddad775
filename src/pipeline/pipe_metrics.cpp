#include "pipeline/pipe_metrics.hpp"

namespace shardpipe {

namespace {

using observe::Labels;
using observe::MetricType;

constexpr std::string_view records_read_name = "shardpipe_records_read_total";
constexpr std::string_view iterator_age_name = "shardpipe_iterator_age_milliseconds";
constexpr std::string_view batch_duration_name = "shardpipe_batch_duration_seconds";
constexpr std::string_view checkpoints_name = "shardpipe_checkpoints_total";

constexpr std::string_view records_read_help = "Records read from the source.";
constexpr std::string_view iterator_age_help =
    "Milliseconds between now and the arrival of the last record read; 0 when caught up.";
constexpr std::string_view batch_duration_help =
    "Seconds to deliver one batch, retries and dead letters included.";
constexpr std::string_view checkpoints_help = "Checkpoints written to the checkpoint store.";

}  // namespace

ShardMetrics::ShardMetrics(observe::MetricsRegistry& registry, const std::string& pipe,
                           const std::string& shard_id)
    : records_read_(&registry.counter(records_read_name, records_read_help,
                                      {{"pipe", pipe}, {"shard", shard_id}})),
      iterator_age_(&registry.gauge(iterator_age_name, iterator_age_help,
                                    {{"pipe", pipe}, {"shard", shard_id}})),
      batch_duration_(&registry.histogram(batch_duration_name, batch_duration_help,
                                          observe::default_duration_buckets(), {{"pipe", pipe}})),
      checkpoints_(&registry.counter(checkpoints_name, checkpoints_help, {{"pipe", pipe}})) {}

PipeMetrics::PipeMetrics(std::string pipe, const DeliveryCounters& counters)
    : pipe_(std::move(pipe)),
      leases_held_(registry_.gauge("shardpipe_leases_held", "Shard leases this worker holds.",
                                   {{"pipe", pipe_}})) {
  // Families that exist before any shard starts, so a scrape always shows them.
  registry_.counter(checkpoints_name, checkpoints_help, {{"pipe", pipe_}});
  registry_.histogram(batch_duration_name, batch_duration_help, observe::default_duration_buckets(),
                      {{"pipe", pipe_}});
  auto counter = [&](std::string_view name, std::string_view help, Labels labels,
                     const std::atomic<uint64_t>& value) {
    registry_.callback(MetricType::counter, name, help, labels,
                       [&value] { return static_cast<double>(value.load()); });
  };
  counter("shardpipe_records_delivered_total", "Records the target accepted.", {{"pipe", pipe_}},
          counters.records_delivered);
  counter("shardpipe_records_filtered_total", "Records the filter dropped.", {{"pipe", pipe_}},
          counters.records_filtered);
  counter("shardpipe_delivery_retries_total", "Delivery attempts after a failed one.",
          {{"pipe", pipe_}}, counters.retries);
  counter("shardpipe_delivery_bisections_total", "Failed batches split in two.", {{"pipe", pipe_}},
          counters.bisections);
  for (auto outcome :
       {AttemptOutcome::success, AttemptOutcome::partial_failure, AttemptOutcome::failure}) {
    counter("shardpipe_delivery_attempts_total", "Delivery attempts to the target, by outcome.",
            {{"pipe", pipe_}, {"outcome", std::string(to_string(outcome))}},
            counters.attempts[static_cast<size_t>(outcome)]);
  }
  for (auto condition : {DeadLetterCondition::retry_attempts_exhausted,
                         DeadLetterCondition::maximum_record_age_exceeded,
                         DeadLetterCondition::decode_error, DeadLetterCondition::transform_error}) {
    counter("shardpipe_records_dead_lettered_total",
            "Records sent to the dead letters, by condition.",
            {{"pipe", pipe_}, {"condition", std::string(to_string(condition))}},
            counters.dead_lettered[static_cast<size_t>(condition)]);
  }
}

}  // namespace shardpipe
