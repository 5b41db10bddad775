// The `enrichment` section: an HTTP endpoint or a record processor that replaces the records of
// each batch before the target receives them.
#include "config/properties.hpp"
#include "config/property_store.hpp"

namespace shardpipe::config {
std::span<const Property> enrichment_properties() {
  static const std::vector<Property> table = {
      {.key = "type",
       .type = ValueType::enumeration,
       .default_text = "http",
       .allowed = {"http", "command"},
       .description = "The kind of enrichment: http (an endpoint that each batch is POSTed to) "
                      "or command (a record processor that each batch is sent to as "
                      "enrichRecords, docs/command-target.md).",
       .example = "http",
       .store = member(&EnrichmentConfig::type)},
      {.key = "url",
       .type = ValueType::string,
       .applies_to = {"http"},
       .required = true,
       .description = "Where each batch is POSTed as a JSON array, exactly as the http target "
                      "would send it. A 2xx answer holding a JSON array with one element per "
                      "record replaces the records; anything else fails the batch, which is "
                      "retried.",
       .example = "http://127.0.0.1:8080/enrich",
       .store = member(&EnrichmentConfig::url),
       .check = check_http_url,
       .rule = "http:// or https:// URL"},
      {.key = "headers",
       .type = ValueType::string_map,
       .default_text = "{}",
       .applies_to = {"http"},
       .description = "Extra HTTP headers sent with every request. ${NAME} in a value is "
                      "replaced by the environment variable NAME when the pipe starts (an unset "
                      "variable is an error); values are never logged.",
       .example = "{ Authorization: \"Bearer ${ENRICH_TOKEN}\" }",
       .store = member(&EnrichmentConfig::headers)},
      {.key = "command",
       .type = ValueType::string_list,
       .applies_to = {"command"},
       .required = true,
       .description = "The enrichment processor's argv, in any language: it reads each batch "
                      "on standard input and replies with one new record per record, in order. "
                      "Its working directory is the pipe file's folder.",
       .example = "[python3, ./enrich.py]",
       .store = member(&EnrichmentConfig::command)},
      {.key = "timeout",
       .type = ValueType::duration,
       .default_text = "10s",
       .bounds = {.min = 1, .max = 900'000},
       .applies_to = {"http", "command"},
       .description = "How long one enrichment request (http) or one reply (command) may take; "
                      "a time-out fails the whole batch, which is retried, and a command that "
                      "hangs is restarted.",
       .example = "5s",
       .store = member(&EnrichmentConfig::timeout)},
  };
  return table;
}

}  // namespace shardpipe::config
