// The list of components and the wording shared by error messages and the reference.
#include "config/properties.hpp"

#include <algorithm>
#include <array>

#include "core/units.hpp"

namespace shardpipe::config {

const Property* Component::type_property() const {
  return find("type");
}

const Property* Component::find(std::string_view key) const {
  auto found = std::ranges::find(properties, key, &Property::key);
  return found == properties.end() ? nullptr : &*found;
}

std::string Component::display_name() const {
  return name.empty() ? std::string("the top level") : std::string(name);
}

std::span<const Component> components() {
  static const std::array<Component, 8> all = {{
      {.name = "",
       .title = "Top level",
       .description = "The pipe's name, its sections, and the optional filter and transform.",
       .properties = pipe_properties()},
      {.name = "source",
       .title = "source",
       .description = "Which stream to read, where to start, and how records are batched.",
       .properties = source_properties()},
      {.name = "enrichment",
       .title = "enrichment",
       .description = "An HTTP endpoint that enriches each batch after the filter and the "
                      "transform, before the target (see docs/filtering.md). Optional.",
       .properties = enrichment_properties()},
      {.name = "target",
       .title = "target",
       .description = "Where batches are delivered. A batch is a JSON array (http, command) or "
                      "JSON Lines (file, stdout).",
       .properties = target_properties()},
      {.name = "retry",
       .title = "retry",
       .description = "How failed deliveries are retried. Retries keep the order of records "
                      "with the same partition key.",
       .properties = retry_properties()},
      {.name = "dead_letter",
       .title = "dead_letter",
       .description = "Where records go that will not be delivered (retries exhausted, too old, "
                      "undecodable). Optional.",
       .properties = dead_letter_properties()},
      {.name = "checkpoint",
       .title = "checkpoint",
       .description = "Where checkpoints and leases are stored.",
       .properties = checkpoint_properties()},
      {.name = "metrics",
       .title = "metrics",
       .description = "The HTTP endpoint for Prometheus metrics, health and status.",
       .properties = metrics_properties()},
  }};
  return all;
}

const Component& top_level_component() {
  return components().front();
}

const Component* find_component(std::string_view name) {
  auto all = components();
  auto found = std::ranges::find(all, name, &Component::name);
  return found == all.end() ? nullptr : &*found;
}

bool applies_to_type(const Property& property, std::string_view component_type) {
  return property.applies_to.empty() ||
         std::ranges::find(property.applies_to, component_type) != property.applies_to.end();
}

std::string_view type_name(const Property& property) {
  switch (property.type) {
    case ValueType::string:
      return "string";
    case ValueType::integer:
      return "integer";
    case ValueType::boolean:
      return "boolean";
    case ValueType::duration:
      return "duration";
    case ValueType::size:
      return "size";
    case ValueType::enumeration:
      return "enum";
    case ValueType::string_list:
      return "list of strings";
    case ValueType::comma_list:
      return "list of strings, or a comma-separated string";
    case ValueType::string_map:
      return "map of strings";
    case ValueType::path:
      return "path";
    case ValueType::rfc3339:
      return "RFC 3339 timestamp";
    case ValueType::template_value:
      return "string or mapping";
    case ValueType::pattern_list:
      return "list of mappings";
    case ValueType::section:
      return "section";
  }
  return "value";
}

std::string format_bound(const Property& property, int64_t bound) {
  switch (property.type) {
    case ValueType::duration:
      // Limits below ten minutes read better in seconds ("60s..7d", as the contract writes them).
      if (bound > 0 && bound < 600'000 && bound % 1000 == 0)
        return std::to_string(bound / 1000) + "s";
      return format_duration(std::chrono::milliseconds{bound});
    case ValueType::size:
      return format_size(static_cast<uint64_t>(bound));
    default:
      return std::to_string(bound);
  }
}

std::string limits_text(const Property& property) {
  if (property.type == ValueType::enumeration) return join_alternatives(property.allowed, ", ");
  if (!property.rule.empty()) return std::string(property.rule);
  const Bounds& bounds = property.bounds;
  if (!bounds.min && !bounds.max) return {};
  std::string text = bounds.minus_one_allowed ? "-1 or " : "";
  if (bounds.min && bounds.max) {
    return text + format_bound(property, *bounds.min) + ".." + format_bound(property, *bounds.max);
  }
  if (bounds.min) return text + "at least " + format_bound(property, *bounds.min);
  return text + "at most " + format_bound(property, *bounds.max);
}

std::string applies_to_text(const Property& property) {
  if (property.applies_to.empty()) return "every type";
  return join_alternatives(property.applies_to, ", ");
}

std::string join_alternatives(std::span<const std::string_view> words,
                              std::string_view last_joiner) {
  std::string text;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) text += (i + 1 == words.size()) ? last_joiner : std::string_view(", ");
    text += words[i];
  }
  return text;
}

std::string check_http_url(const Value& value) {
  const auto& url = std::get<std::string>(value);
  if (url.starts_with("http://") || url.starts_with("https://")) return {};
  return "url must start with http:// or https://, got '" + url + "'";
}

}  // namespace shardpipe::config
