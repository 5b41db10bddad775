// The top level of the pipe file: the pipe's name, its sections, filter and transform.
#include <cctype>

#include "config/properties.hpp"
#include "config/property_store.hpp"

namespace shardpipe::config {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Checkpoints and leases are stored under the name, so it must be safe in paths and keys.
std::string check_name(const Value& value) {
  const auto& name = std::get<std::string>(value);
  if (name.empty()) return "name must not be empty; use lowercase letters, digits, '_' and '-'";
  bool valid = true;
  std::string fixed;
  for (char c : name) {
    valid = valid && is_name_char(c);
    char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    fixed.push_back(is_name_char(lower) ? lower : '-');
  }
  if (valid) return {};
  return "name must match [a-z0-9_-]+ (lowercase letters, digits, '_' and '-'), got '" + name +
         "'; try '" + fixed + "'";
}

}  // namespace

std::span<const Property> pipe_properties() {
  static const std::vector<Property> table = {
      {.key = "name",
       .type = ValueType::string,
       .required = true,
       .description = "The pipe's name. Checkpoints and leases are kept under it, so two pipes "
                      "with the same name share them.",
       .example = "orders",
       .store = member(&PipeConfig::name),
       .check = check_name,
       .rule = "[a-z0-9_-]+"},
      {.key = "source",
       .type = ValueType::section,
       .required = true,
       .description = "Where records come from; see [source](#source).",
       .example = "{ type: local, path: ./data/orders }"},
      {.key = "filter",
       .type = ValueType::pattern_list,
       .default_text = "none: every record passes",
       .description = "EventBridge event patterns matched against the record envelope; a record "
                      "passes if any pattern matches. Unquoted numbers, true, false and null in a "
                      "pattern are JSON numbers, booleans and null; quoted values stay strings.",
       .example = "[{ data: { status: [paid] } }]",
       .store = member(&PipeConfig::filter_patterns)},
      {.key = "transform",
       .type = ValueType::template_value,
       .default_text = "null",
       .description = "An input template over the envelope: a string, kept as written, or a "
                      "mapping, kept as JSON. null delivers the envelope unchanged.",
       .example = "'{\"id\": <$.eventID>, \"body\": <$.data>}'",
       .store = member(&PipeConfig::transform)},
      {.key = "enrichment",
       .type = ValueType::section,
       .default_text = "not set",
       .description = "An HTTP endpoint that replaces each record of a batch before the target "
                      "receives it; see [enrichment](#enrichment).",
       .example = "{ type: http, url: http://127.0.0.1:8080/enrich }"},
      {.key = "target",
       .type = ValueType::section,
       .required = true,
       .description = "Where batches are delivered; see [target](#target).",
       .example = "{ type: file, path: ./out }"},
      {.key = "retry",
       .type = ValueType::section,
       .default_text = "the defaults below",
       .description = "How failed deliveries are retried; see [retry](#retry).",
       .example = "{ maximum_retry_attempts: 10 }"},
      {.key = "dead_letter",
       .type = ValueType::section,
       .default_text = "not set",
       .description = "Where records go that will not be delivered; see "
                      "[dead_letter](#dead_letter).",
       .example = "{ type: file, path: ./dlq }"},
      {.key = "checkpoint",
       .type = ValueType::section,
       .default_text = "the defaults below",
       .description = "Where checkpoints and leases are stored; see [checkpoint](#checkpoint).",
       .example = "{ lease_duration: 30s }"},
      {.key = "metrics",
       .type = ValueType::section,
       .default_text = "the defaults below",
       .description = "The Prometheus endpoint; see [metrics](#metrics).",
       .example = "{ listen: 127.0.0.1:9464 }"},
      {.key = "shutdown_timeout",
       .type = ValueType::duration,
       .default_text = "30s",
       .bounds = {.min = 0, .max = 3'600'000},
       .description = "How long a graceful shutdown may take to finish or flush in-flight "
                      "batches before it checkpoints and exits.",
       .example = "1m",
       .store = member(&PipeConfig::shutdown_timeout)},
  };
  return table;
}

}  // namespace shardpipe::config
