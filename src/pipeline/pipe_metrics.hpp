// The metrics of one running pipe (CONTRACT section 6), named in metric_catalog.hpp. The pipe
// runner owns a PipeMetrics; each shard consumer updates its ShardMetrics, which only touches
// atomics.
#pragma once

#include <optional>
#include <string>

#include "observe/metrics_registry.hpp"
#include "pipeline/delivery_counters.hpp"
#include "pipeline/in_flight_budget.hpp"

namespace shardpipe {

// A shard's handles into the registry. Default-constructed (no registry) it counts nothing, so
// consumers run the same with and without metrics.
class ShardMetrics {
 public:
  ShardMetrics() = default;
  ShardMetrics(observe::MetricsRegistry& registry, const std::string& pipe,
               const std::string& shard_id);

  void records_read(uint64_t count) {
    if (records_read_) records_read_->add(count);
  }
  // now − arrival of the last record read, in ms; 0 when caught up.
  void iterator_age_ms(int64_t age) {
    if (iterator_age_) iterator_age_->set(age < 0 ? 0 : age);
  }
  void batch_delivered_in(double seconds) {
    if (batch_duration_) batch_duration_->observe(seconds);
  }
  void checkpoint_written() {
    if (checkpoints_) checkpoints_->add();
  }

 private:
  observe::Counter* records_read_ = nullptr;
  observe::Gauge* iterator_age_ = nullptr;
  observe::Histogram* batch_duration_ = nullptr;
  observe::Counter* checkpoints_ = nullptr;
};

class PipeMetrics {
 public:
  // Exposes `counters` (which must outlive the registry's scrapes) under the contract's names.
  PipeMetrics(std::string pipe, const DeliveryCounters& counters);

  ShardMetrics for_shard(const std::string& shard_id) {
    return ShardMetrics(registry_, pipe_, shard_id);
  }
  void set_leases_held(int64_t count) { leases_held_.set(count); }
  // The delivery lag of a shard this worker holds (unknown parts are left out).
  void set_lag(const std::string& shard_id, std::optional<uint64_t> records,
               std::optional<int64_t> millis);
  // Reads the pipe's in-flight budget at scrape time; `budget` must outlive the scrapes.
  void expose_in_flight(const InFlightBudget& budget);
  std::string exposition() const { return registry_.exposition(); }

 private:
  std::string pipe_;
  observe::MetricsRegistry registry_;
  observe::Gauge& leases_held_;
};

}  // namespace shardpipe
