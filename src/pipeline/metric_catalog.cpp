#include "pipeline/metric_catalog.hpp"

#include "core/markdown.hpp"

namespace shardpipe {
namespace {

constexpr std::array<std::string_view, 3> histogram_suffixes{"_bucket", "_sum", "_count"};

constexpr std::string_view kReferencePreamble =
    R"(<!-- Generated from the metric catalog in src/pipeline/metric_catalog.hpp by
     `shardpipe metrics reference`. Do not edit by hand: change the catalog, then run
     `shardpipe metrics reference --update docs/monitoring.md`. -->

)";

std::string label_list(const MetricFamily& family) {
  std::string out;
  for (std::string_view label : family.labels) {
    out += (out.empty() ? "`" : ", `") + std::string(label) + "`";
  }
  return out.empty() ? "none" : out;
}

}  // namespace

const MetricFamily* find_metric_family(std::string_view name) {
  for (const MetricFamily* family : metric_catalog) {
    if (family->name == name) return family;
  }
  return nullptr;
}

const MetricFamily* metric_family_of_series(std::string_view series) {
  if (const MetricFamily* family = find_metric_family(series)) return family;
  for (std::string_view suffix : histogram_suffixes) {
    if (!series.ends_with(suffix)) continue;
    const MetricFamily* family =
        find_metric_family(series.substr(0, series.size() - suffix.size()));
    if (family && family->type == observe::MetricType::histogram) return family;
  }
  return nullptr;
}

std::string_view metric_type_name(observe::MetricType type) {
  switch (type) {
    case observe::MetricType::counter:
      return "counter";
    case observe::MetricType::gauge:
      return "gauge";
    case observe::MetricType::histogram:
      return "histogram";
  }
  return "unknown";
}

std::string metrics_reference_markdown() {
  std::string out(metrics_reference_begin);
  out += "\n";
  out += kReferencePreamble;
  out += "| metric | type | labels | help |\n";
  out += "|---|---|---|---|\n";
  for (const MetricFamily* family : metric_catalog) {
    std::string name(family->name);
    out += "| [`" + name + "`](#" + name + ") | " + std::string(metric_type_name(family->type)) +
           " | " + label_list(*family) + " | " + markdown_cell(family->help) + " |\n";
  }
  for (const MetricFamily* family : metric_catalog) {
    out += "\n### `" + std::string(family->name) + "`\n\n";
    out += std::string(metric_type_name(family->type)) +
           (family->labels.size() == 1 ? "; label " : "; labels ") + label_list(*family) + ". " +
           std::string(family->help) + "\n\n";
    out += std::string(family->meaning) + "\n";
  }
  out += "\n";
  out += metrics_reference_end;
  out += "\n";
  return out;
}

std::optional<std::string> generated_metrics_region(std::string_view document) {
  size_t begin = document.find(metrics_reference_begin);
  if (begin == std::string_view::npos) return std::nullopt;
  size_t end = document.find(metrics_reference_end, begin);
  if (end == std::string_view::npos) return std::nullopt;
  end += metrics_reference_end.size();
  if (end < document.size() && document[end] == '\n') ++end;
  return std::string(document.substr(begin, end - begin));
}

std::optional<std::string> replace_generated_metrics_region(std::string_view document,
                                                            std::string_view region) {
  auto current = generated_metrics_region(document);
  if (!current) return std::nullopt;
  size_t begin = document.find(metrics_reference_begin);
  std::string out(document.substr(0, begin));
  out += region;
  out += document.substr(begin + current->size());
  return out;
}

}  // namespace shardpipe
