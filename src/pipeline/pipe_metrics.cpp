#include "pipeline/pipe_metrics.hpp"

#include <initializer_list>
#include <stdexcept>

#include "pipeline/metric_catalog.hpp"

namespace shardpipe {

namespace {

using observe::Labels;
using observe::MetricType;

// Registrations go through the catalog's entries, so names, help, types and label names are
// written in one place only (metric_catalog.hpp). A mismatch is a programming error.
void require(const MetricFamily& family, MetricType type, size_t label_values) {
  if (family.type != type || family.labels.size() != label_values) {
    throw std::logic_error("metric " + std::string(family.name) +
                           " registered unlike its catalog entry");
  }
}

// The family's label names, in the catalog's order, with `values`.
Labels labels(const MetricFamily& family, std::initializer_list<std::string_view> values) {
  Labels out;
  auto value = values.begin();
  for (std::string_view name : family.labels) {
    out.emplace_back(std::string(name), std::string(*value++));
  }
  return out;
}

observe::Counter& counter(observe::MetricsRegistry& registry, const MetricFamily& family,
                          std::initializer_list<std::string_view> values) {
  require(family, MetricType::counter, values.size());
  return registry.counter(family.name, family.help, labels(family, values));
}

observe::Gauge& gauge(observe::MetricsRegistry& registry, const MetricFamily& family,
                      std::initializer_list<std::string_view> values) {
  require(family, MetricType::gauge, values.size());
  return registry.gauge(family.name, family.help, labels(family, values));
}

observe::Histogram& histogram(observe::MetricsRegistry& registry, const MetricFamily& family,
                              std::initializer_list<std::string_view> values) {
  require(family, MetricType::histogram, values.size());
  return registry.histogram(family.name, family.help, observe::default_duration_buckets(),
                            labels(family, values));
}

// A counter whose value is read from `value` at scrape time.
void counter_reading(observe::MetricsRegistry& registry, const MetricFamily& family,
                     std::initializer_list<std::string_view> values,
                     const std::atomic<uint64_t>& value) {
  require(family, MetricType::counter, values.size());
  registry.callback(MetricType::counter, family.name, family.help, labels(family, values),
                    [&value] { return static_cast<double>(value.load()); });
}

}  // namespace

ShardMetrics::ShardMetrics(observe::MetricsRegistry& registry, const std::string& pipe,
                           const std::string& shard_id)
    : records_read_(&counter(registry, metric::records_read, {pipe, shard_id})),
      iterator_age_(&gauge(registry, metric::iterator_age, {pipe, shard_id})),
      batch_duration_(&histogram(registry, metric::batch_duration, {pipe})),
      checkpoints_(&counter(registry, metric::checkpoints, {pipe})) {}

PipeMetrics::PipeMetrics(std::string pipe, const DeliveryCounters& counters)
    : pipe_(std::move(pipe)), leases_held_(gauge(registry_, metric::leases_held, {pipe_})) {
  // Families that exist before any shard starts, so a scrape always shows them.
  counter(registry_, metric::checkpoints, {pipe_});
  histogram(registry_, metric::batch_duration, {pipe_});
  counter_reading(registry_, metric::records_delivered, {pipe_}, counters.records_delivered);
  counter_reading(registry_, metric::records_filtered, {pipe_}, counters.records_filtered);
  counter_reading(registry_, metric::delivery_retries, {pipe_}, counters.retries);
  counter_reading(registry_, metric::delivery_bisections, {pipe_}, counters.bisections);
  for (auto outcome :
       {AttemptOutcome::success, AttemptOutcome::partial_failure, AttemptOutcome::failure}) {
    counter_reading(registry_, metric::delivery_attempts, {pipe_, to_string(outcome)},
                    counters.attempts[static_cast<size_t>(outcome)]);
  }
  for (auto condition :
       {DeadLetterCondition::retry_attempts_exhausted,
        DeadLetterCondition::maximum_record_age_exceeded, DeadLetterCondition::decode_error,
        DeadLetterCondition::transform_error, DeadLetterCondition::data_lost}) {
    counter_reading(registry_, metric::records_dead_lettered, {pipe_, to_string(condition)},
                    counters.dead_lettered[static_cast<size_t>(condition)]);
  }
}

void PipeMetrics::set_lag(const std::string& shard_id, std::optional<uint64_t> records,
                          std::optional<int64_t> millis) {
  if (records) {
    gauge(registry_, metric::records_behind, {pipe_, shard_id}).set(static_cast<int64_t>(*records));
  }
  if (millis) gauge(registry_, metric::millis_behind, {pipe_, shard_id}).set(*millis);
}

void PipeMetrics::expose_in_flight(const InFlightBudget& budget) {
  auto reading = [&](const MetricFamily& family, auto read) {
    require(family, MetricType::gauge, 1);
    registry_.callback(MetricType::gauge, family.name, family.help, labels(family, {pipe_}),
                       [&budget, read] { return static_cast<double>(read(budget)); });
  };
  reading(metric::in_flight_records, [](const InFlightBudget& b) { return b.records_in_flight(); });
  reading(metric::in_flight_bytes, [](const InFlightBudget& b) { return b.bytes_in_flight(); });
}

}  // namespace shardpipe
