// Counters, gauges and histograms with small label sets, written out in the Prometheus text
// exposition format (version 0.0.4).
//
// Registering a metric takes a lock; updating one does not: callers keep the returned reference
// (stable for the registry's lifetime) and update its atomics from any thread. Values that already
// live elsewhere (e.g. the delivery engine's counters) are read at scrape time through callbacks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shardpipe::observe {

// Label name/value pairs, in the order they are written.
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { counter, gauge, histogram };

class Counter {
 public:
  void add(uint64_t amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(int64_t value) { value_.store(value, std::memory_order_relaxed); }
  void add(int64_t amount) { value_.fetch_add(amount, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Cumulative buckets with upper bounds `bounds` (ascending) and an implicit +Inf.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // per bucket, not cumulative; last is +Inf
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// Bounds in seconds for durations from 5 ms to 60 s.
std::vector<double> default_duration_buckets();

class MetricsRegistry {
 public:
  // Returns the metric of `name` with `labels`, creating it (and its family) on first use. Using a
  // name with another type, or a histogram with other bounds, is a programming error and throws
  // std::logic_error.
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                       const Labels& labels = {});
  // A counter or gauge whose value `read` returns at scrape time. `read` runs on the scraping
  // thread under the registry's lock: it must be thread-safe and must not use the registry.
  void callback(MetricType type, std::string_view name, std::string_view help, const Labels& labels,
                std::function<double()> read);

  // All families sorted by name, their samples sorted by label values.
  std::string exposition() const;

 private:
  struct Sample {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;
  };
  struct Family {
    MetricType type;
    std::string help;
    std::map<Labels, Sample> samples;
  };
  Sample& sample(std::string_view name, std::string_view help, MetricType type,
                 const Labels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

// The Content-Type of exposition().
inline constexpr std::string_view exposition_content_type = "text/plain; version=0.0.4";

// Label values escape backslash, double quote and newline; help text escapes backslash and
// newline.
std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view help);
// Numbers as Prometheus writes them: shortest round-trip form, +Inf, -Inf, NaN.
std::string format_value(double value);

}  // namespace shardpipe::observe
