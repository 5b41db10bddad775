#include "observe/metrics_registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace shardpipe::observe {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end())) {
    throw std::logic_error("histogram bounds must be ascending");
  }
}

void Histogram::observe(double value) {
  // The first bucket whose upper bound is >= value (le is inclusive).
  auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot out;
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out.cumulative.push_back(running);
  }
  // Read without a lock, so concurrent observations may be half-counted; +Inf and _count agree
  // with the buckets so the histogram stays consistent for its readers.
  out.count = running;
  out.sum = sum_.load(std::memory_order_relaxed);
  return out;
}

std::vector<double> default_duration_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

namespace {

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

// `{a="1",b="2"}`, with `extra` (histogram's le) last; empty when there are no labels at all.
std::string label_text(const Labels& labels, const std::pair<std::string, std::string>* extra) {
  if (labels.empty() && extra == nullptr) return {};
  std::string out = "{";
  auto append = [&](const std::pair<std::string, std::string>& label) {
    if (out.size() > 1) out += ',';
    out += fmt::format("{}=\"{}\"", label.first, escape_label_value(label.second));
  };
  for (const auto& label : labels) append(label);
  if (extra) append(*extra);
  return out + "}";
}

}  // namespace

MetricsRegistry::Sample& MetricsRegistry::sample(std::string_view name, std::string_view help,
                                                 MetricType type, const Labels& labels) {
  auto family = families_.find(name);
  if (family == families_.end()) {
    family = families_.emplace(std::string(name), Family{type, std::string(help), {}}).first;
  } else if (family->second.type != type) {
    throw std::logic_error(fmt::format("metric {} registered with another type", name));
  }
  auto& samples = family->second.samples;
  auto found = samples.find(labels);
  if (found == samples.end()) found = samples.emplace(labels, Sample{.labels = labels}).first;
  return found->second;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& found = sample(name, help, MetricType::counter, labels);
  if (found.read) throw std::logic_error(fmt::format("metric {} is read by a callback", name));
  if (!found.counter) found.counter = std::make_unique<Counter>();
  return *found.counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& found = sample(name, help, MetricType::gauge, labels);
  if (found.read) throw std::logic_error(fmt::format("metric {} is read by a callback", name));
  if (!found.gauge) found.gauge = std::make_unique<Gauge>();
  return *found.gauge;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      std::vector<double> bounds, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& found = sample(name, help, MetricType::histogram, labels);
  if (!found.histogram) {
    found.histogram = std::make_unique<Histogram>(std::move(bounds));
  } else if (found.histogram->bounds() != bounds) {
    throw std::logic_error(fmt::format("histogram {} registered with other bounds", name));
  }
  return *found.histogram;
}

void MetricsRegistry::callback(MetricType type, std::string_view name, std::string_view help,
                               const Labels& labels, std::function<double()> read) {
  if (type == MetricType::histogram) {
    throw std::logic_error("a histogram cannot be read by a callback");
  }
  std::lock_guard lock(mutex_);
  auto& found = sample(name, help, type, labels);
  if (found.counter || found.gauge) {
    throw std::logic_error(fmt::format("metric {} already holds its own value", name));
  }
  found.read = std::move(read);
}

std::string MetricsRegistry::exposition() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(family.help), name,
                       type_name(family.type));
    for (const auto& [labels, sample] : family.samples) {
      if (sample.histogram) {
        auto snapshot = sample.histogram->snapshot();
        const auto& bounds = sample.histogram->bounds();
        for (size_t i = 0; i <= bounds.size(); ++i) {
          std::pair<std::string, std::string> le{
              "le", i < bounds.size() ? format_value(bounds[i]) : "+Inf"};
          out += fmt::format("{}_bucket{} {}\n", name, label_text(labels, &le),
                             snapshot.cumulative[i]);
        }
        out += fmt::format("{}_sum{} {}\n", name, label_text(labels, nullptr),
                           format_value(snapshot.sum));
        out += fmt::format("{}_count{} {}\n", name, label_text(labels, nullptr), snapshot.count);
      } else if (sample.counter) {
        out += fmt::format("{}{} {}\n", name, label_text(labels, nullptr), sample.counter->value());
      } else if (sample.gauge) {
        out += fmt::format("{}{} {}\n", name, label_text(labels, nullptr), sample.gauge->value());
      } else if (sample.read) {
        out += fmt::format("{}{} {}\n", name, label_text(labels, nullptr),
                           format_value(sample.read()));
      }
    }
  }
  return out;
}

}  // namespace shardpipe::observe
