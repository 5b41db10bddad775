// The Prometheus text exposition: exact text for a small registry, label escaping, histogram
// buckets, values read through callbacks, and misuse caught.
#include "observe/metrics_registry.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>

namespace shardpipe::observe {
namespace {

TEST(MetricsRegistry, WritesFamiliesSortedByNameWithHelpAndType) {
  MetricsRegistry registry;
  registry.counter("b_total", "Things counted.", {{"pipe", "p"}, {"shard", "s2"}}).add(3);
  registry.counter("b_total", "Things counted.", {{"pipe", "p"}, {"shard", "s1"}}).add();
  registry.gauge("a_gauge", "A level.").set(-7);
  EXPECT_EQ(registry.exposition(),
            "# HELP a_gauge A level.\n"
            "# TYPE a_gauge gauge\n"
            "a_gauge -7\n"
            "# HELP b_total Things counted.\n"
            "# TYPE b_total counter\n"
            "b_total{pipe=\"p\",shard=\"s1\"} 1\n"
            "b_total{pipe=\"p\",shard=\"s2\"} 3\n");
}

TEST(MetricsRegistry, ReturnsTheSameMetricForTheSameLabels) {
  MetricsRegistry registry;
  auto& first = registry.counter("c_total", "h", {{"pipe", "p"}});
  auto& again = registry.counter("c_total", "h", {{"pipe", "p"}});
  EXPECT_EQ(&first, &again);
  first.add(2);
  again.add(3);
  EXPECT_EQ(first.value(), 5u);
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.counter("c_total", "Back\\slash and\nnewline \"quotes\" stay.", {{"pipe", "a\"b\\c\nd"}})
      .add();
  EXPECT_EQ(registry.exposition(),
            "# HELP c_total Back\\\\slash and\\nnewline \"quotes\" stay.\n"
            "# TYPE c_total counter\n"
            "c_total{pipe=\"a\\\"b\\\\c\\nd\"} 1\n");
  EXPECT_EQ(escape_label_value("plain"), "plain");
}

TEST(MetricsRegistry, WritesHistogramBucketsCumulativelyWithInfSumAndCount) {
  MetricsRegistry registry;
  auto& histogram = registry.histogram("d_seconds", "Durations.", {0.1, 1, 2.5}, {{"pipe", "p"}});
  histogram.observe(0.05);
  histogram.observe(0.1);  // le is inclusive
  histogram.observe(2);
  histogram.observe(30);
  EXPECT_EQ(registry.exposition(),
            "# HELP d_seconds Durations.\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{pipe=\"p\",le=\"0.1\"} 2\n"
            "d_seconds_bucket{pipe=\"p\",le=\"1\"} 2\n"
            "d_seconds_bucket{pipe=\"p\",le=\"2.5\"} 3\n"
            "d_seconds_bucket{pipe=\"p\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{pipe=\"p\"} 32.15\n"
            "d_seconds_count{pipe=\"p\"} 4\n");
}

TEST(MetricsRegistry, WritesAnUnlabelledHistogramWithOnlyLe) {
  MetricsRegistry registry;
  registry.histogram("e_seconds", "h", {1});
  EXPECT_EQ(registry.exposition(),
            "# HELP e_seconds h\n"
            "# TYPE e_seconds histogram\n"
            "e_seconds_bucket{le=\"1\"} 0\n"
            "e_seconds_bucket{le=\"+Inf\"} 0\n"
            "e_seconds_sum 0\n"
            "e_seconds_count 0\n");
}

TEST(MetricsRegistry, ReadsCallbackValuesAtScrapeTime) {
  MetricsRegistry registry;
  std::atomic<uint64_t> source{1};
  registry.callback(MetricType::counter, "f_total", "h", {{"outcome", "success"}},
                    [&] { return static_cast<double>(source.load()); });
  source = 42;
  EXPECT_EQ(registry.exposition(),
            "# HELP f_total h\n"
            "# TYPE f_total counter\n"
            "f_total{outcome=\"success\"} 42\n");
}

TEST(MetricsRegistry, RefusesATypeOrBoundsMismatch) {
  MetricsRegistry registry;
  registry.counter("g_total", "h");
  EXPECT_THROW(registry.gauge("g_total", "h"), std::logic_error);
  registry.histogram("h_seconds", "h", {1, 2});
  EXPECT_THROW(registry.histogram("h_seconds", "h", {1, 3}), std::logic_error);
  EXPECT_THROW(Histogram({2, 1}), std::logic_error);
  EXPECT_THROW(registry.callback(MetricType::counter, "g_total", "h", {}, [] { return 1.0; }),
               std::logic_error);
}

TEST(MetricsRegistry, FormatsSpecialValuesAsPrometheusDoes) {
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
  EXPECT_EQ(format_value(0.005), "0.005");
  EXPECT_EQ(format_value(60), "60");
}

TEST(MetricsRegistry, CountsFromManyThreadsWithoutLosingUpdates) {
  MetricsRegistry registry;
  auto& counter = registry.counter("i_total", "h");
  auto& histogram = registry.histogram("j_seconds", "h", {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        counter.add();
        histogram.observe(0.5);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), 40000u);
  auto snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.count, 40000u);
  EXPECT_EQ(snapshot.cumulative[0], 40000u);
  EXPECT_DOUBLE_EQ(snapshot.sum, 20000);
}

}  // namespace
}  // namespace shardpipe::observe
