// The metric catalog is the one list of what shardpipe exposes: the registry must expose exactly
// its families, and docs/monitoring.md must carry its current reference.
#include "pipeline/metric_catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "pipeline/pipe_metrics.hpp"
#include "process.hpp"
#include "text_difference.hpp"

namespace shardpipe {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kMonitoringGuide =
    std::filesystem::path(SHARDPIPE_SOURCE_DIR) / "docs/monitoring.md";

bool valid_metric_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ':') return false;
  }
  return true;
}

TEST(MetricCatalog, MonitoringGuideCarriesTheCurrentReference) {
  std::string generated = metrics_reference_markdown();
  std::string guide = testing::read_file(kMonitoringGuide);
  // Maintainers without the CLI can refresh the region by running this test with the variable set.
  if (std::getenv("SHARDPIPE_UPDATE_REFERENCE") != nullptr) {
    auto updated = replace_generated_metrics_region(guide, generated);
    ASSERT_TRUE(updated.has_value()) << "docs/monitoring.md lost its generated-region markers";
    std::ofstream(kMonitoringGuide, std::ios::binary | std::ios::trunc) << *updated;
    guide = *updated;
  }
  auto committed = generated_metrics_region(guide);
  ASSERT_TRUE(committed.has_value())
      << "docs/monitoring.md has no region between '" << metrics_reference_begin << "' and '"
      << metrics_reference_end << "'";
  if (*committed != generated) {
    FAIL() << "docs/monitoring.md is stale: run 'shardpipe metrics reference --update "
              "docs/monitoring.md'\n"
           << testing::first_line_difference(*committed, generated);
  }
}

TEST(MetricCatalog, NamesAreUniqueValidAndFollowPrometheusConventions) {
  std::set<std::string_view> names;
  for (const MetricFamily* family : metric_catalog) {
    SCOPED_TRACE(std::string(family->name));
    EXPECT_TRUE(names.insert(family->name).second) << "listed twice";
    EXPECT_TRUE(family->name.starts_with("shardpipe_"));
    EXPECT_TRUE(valid_metric_name(family->name));
    EXPECT_EQ(family->name.ends_with("_total"), family->type == observe::MetricType::counter)
        << "counters, and only counters, end in _total";
    EXPECT_FALSE(family->help.empty());
    EXPECT_FALSE(family->meaning.empty());
    ASSERT_FALSE(family->labels.empty());
    EXPECT_EQ(family->labels.front(), "pipe") << "every family is labelled by pipe first";
    std::set<std::string_view> labels(family->labels.begin(), family->labels.end());
    EXPECT_EQ(labels.size(), family->labels.size()) << "a label is listed twice";
    EXPECT_FALSE(labels.contains("le")) << "le is the histogram's own label";
    EXPECT_EQ(find_metric_family(family->name), family);
  }
  // A histogram's series names must not collide with another family.
  for (const MetricFamily* family : metric_catalog) {
    if (family->type != observe::MetricType::histogram) continue;
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      EXPECT_EQ(find_metric_family(std::string(family->name) + std::string(suffix)), nullptr);
    }
  }
}

TEST(MetricCatalog, HoldsEveryMetricOfTheContract) {
  // CONTRACT section 6.
  const std::map<std::string_view, std::vector<std::string_view>> contract = {
      {"shardpipe_records_read_total", {"pipe", "shard"}},
      {"shardpipe_records_delivered_total", {"pipe"}},
      {"shardpipe_records_filtered_total", {"pipe"}},
      {"shardpipe_records_dead_lettered_total", {"pipe", "condition"}},
      {"shardpipe_delivery_attempts_total", {"pipe", "outcome"}},
      {"shardpipe_iterator_age_milliseconds", {"pipe", "shard"}},
      {"shardpipe_batch_duration_seconds", {"pipe"}},
      {"shardpipe_leases_held", {"pipe"}},
      {"shardpipe_checkpoints_total", {"pipe"}},
  };
  for (const auto& [name, labels] : contract) {
    const MetricFamily* family = find_metric_family(name);
    ASSERT_NE(family, nullptr) << name;
    EXPECT_EQ(std::vector<std::string_view>(family->labels.begin(), family->labels.end()), labels)
        << name;
  }
  EXPECT_EQ(find_metric_family("shardpipe_batch_duration_seconds")->type,
            observe::MetricType::histogram);
}

TEST(MetricCatalog, SeriesNamesMapToTheirFamily) {
  EXPECT_EQ(metric_family_of_series("shardpipe_records_read_total"), &metric::records_read);
  EXPECT_EQ(metric_family_of_series("shardpipe_batch_duration_seconds_bucket"),
            &metric::batch_duration);
  EXPECT_EQ(metric_family_of_series("shardpipe_batch_duration_seconds_sum"),
            &metric::batch_duration);
  EXPECT_EQ(metric_family_of_series("shardpipe_batch_duration_seconds_count"),
            &metric::batch_duration);
  // Suffixes belong to histograms only.
  EXPECT_EQ(metric_family_of_series("shardpipe_leases_held_count"), nullptr);
  EXPECT_EQ(metric_family_of_series("shardpipe_records_read_total_sum"), nullptr);
  EXPECT_EQ(metric_family_of_series("shardpipe_records_red_total"), nullptr);
}

// What a scrape says about each family: its TYPE, its HELP and the label names of its samples.
struct ExposedFamily {
  std::string type;
  std::string help;
  std::set<std::vector<std::string>> label_names;
};

std::map<std::string, ExposedFamily> parse_exposition(const std::string& text) {
  std::map<std::string, ExposedFamily> families;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("# HELP ")) {
      auto rest = line.substr(7);
      auto space = rest.find(' ');
      families[rest.substr(0, space)].help = rest.substr(space + 1);
    } else if (line.starts_with("# TYPE ")) {
      auto rest = line.substr(7);
      auto space = rest.find(' ');
      families[rest.substr(0, space)].type = rest.substr(space + 1);
    } else if (!line.empty() && line[0] != '#') {
      auto brace = line.find('{');
      std::string series = line.substr(0, std::min(brace, line.find(' ')));
      std::vector<std::string> names;
      if (brace != std::string::npos) {
        size_t at = brace + 1;
        while (at < line.size() && line[at] != '}') {
          auto equals = line.find('=', at);
          names.push_back(line.substr(at, equals - at));
          // Skip the quoted value (the test's values hold no escaped quotes).
          auto close = line.find('"', equals + 2);
          at = close + 1;
          if (line[at] == ',') ++at;
        }
      }
      const MetricFamily* family = metric_family_of_series(series);
      std::string family_name = family ? std::string(family->name) : series;
      if (family && family->type == observe::MetricType::histogram) {
        std::erase(names, "le");
      }
      families[family_name].label_names.insert(names);
    }
  }
  return families;
}

TEST(MetricCatalog, TheRegistryExposesExactlyTheCatalog) {
  DeliveryCounters counters;
  PipeMetrics metrics("orders", counters);
  ShardMetrics shard = metrics.for_shard("shardId-000000000000");
  shard.records_read(3);
  shard.iterator_age_ms(12);
  shard.batch_delivered_in(0.02);
  shard.checkpoint_written();
  metrics.set_leases_held(1);
  metrics.set_lag("shardId-000000000000", 40, 1500);
  InFlightBudget budget(100, 1 << 20);
  metrics.expose_in_flight(budget);

  auto exposed = parse_exposition(metrics.exposition());
  std::set<std::string> exposed_names;
  for (const auto& [name, family] : exposed) exposed_names.insert(name);
  std::set<std::string> catalog_names;
  for (const MetricFamily* family : metric_catalog) catalog_names.insert(std::string(family->name));
  EXPECT_EQ(exposed_names, catalog_names);

  for (const MetricFamily* family : metric_catalog) {
    SCOPED_TRACE(std::string(family->name));
    auto found = exposed.find(std::string(family->name));
    ASSERT_NE(found, exposed.end());
    EXPECT_EQ(found->second.type, metric_type_name(family->type));
    EXPECT_EQ(found->second.help, observe::escape_help(family->help));
    std::vector<std::string> labels(family->labels.begin(), family->labels.end());
    EXPECT_EQ(found->second.label_names, std::set<std::vector<std::string>>{labels});
  }
}

TEST(MetricCatalog, ReferenceListsEveryFamilyBetweenItsMarkers) {
  std::string reference = metrics_reference_markdown();
  EXPECT_TRUE(reference.starts_with(metrics_reference_begin));
  EXPECT_TRUE(reference.ends_with(std::string(metrics_reference_end) + "\n"));
  EXPECT_THAT(reference, HasSubstr("shardpipe metrics reference --update docs/monitoring.md"));
  for (const MetricFamily* family : metric_catalog) {
    std::string name(family->name);
    EXPECT_THAT(reference, HasSubstr("| [`" + name + "`](#" + name + ") | " +
                                     std::string(metric_type_name(family->type)) + " | "));
    EXPECT_THAT(reference, HasSubstr("\n### `" + name + "`\n"));
    EXPECT_THAT(reference, HasSubstr(std::string(family->meaning)));
  }
  EXPECT_THAT(reference,
              HasSubstr("| [`shardpipe_records_read_total`](#shardpipe_records_read_total) | "
                        "counter | `pipe`, `shard` | Records read from the source. |\n"));
  EXPECT_EQ(reference, metrics_reference_markdown());
}

TEST(MetricCatalog, GeneratedRegionIsReplacedInPlace) {
  std::string document = "# Guide\n\nintro\n\n" + std::string(metrics_reference_begin) + "\nold\n" +
                         std::string(metrics_reference_end) + "\n\nafter\n";
  auto region = generated_metrics_region(document);
  ASSERT_TRUE(region.has_value());
  EXPECT_EQ(*region, std::string(metrics_reference_begin) + "\nold\n" +
                         std::string(metrics_reference_end) + "\n");
  std::string reference = metrics_reference_markdown();
  auto updated = replace_generated_metrics_region(document, reference);
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(*updated, "# Guide\n\nintro\n\n" + reference + "\nafter\n");
  EXPECT_EQ(generated_metrics_region(*updated), reference);
  // Replacing again changes nothing.
  EXPECT_EQ(replace_generated_metrics_region(*updated, reference), *updated);

  EXPECT_FALSE(generated_metrics_region("no markers\n").has_value());
  EXPECT_FALSE(replace_generated_metrics_region("no markers\n", reference).has_value());
  EXPECT_FALSE(generated_metrics_region(std::string(metrics_reference_end) + "\n" +
                                        std::string(metrics_reference_begin) + "\n")
                   .has_value());
}

}  // namespace
}  // namespace shardpipe
