// The `dead_letter` section: where records go that will not be delivered.
#include "config/kafka_safety.hpp"
#include "config/properties.hpp"
#include "config/property_store.hpp"

namespace shardpipe::config {
namespace {

std::string check_producer_properties(const Value& value) {
  return check_kafka_safety(value, kafka_producer_safety);
}

}  // namespace

std::span<const Property> dead_letter_properties() {
  static const std::vector<Property> table = {
      {.key = "type",
       .type = ValueType::enumeration,
       .default_text = "file",
       .allowed = {"file", "kafka", "http"},
       .description = "The kind of destination. Each dead-lettered record is one JSON entry "
                      "holding the record, the error and the attempts.",
       .example = "kafka",
       .store = member(&DeadLetterConfig::type)},
      {.key = "path",
       .type = ValueType::path,
       .applies_to = {"file"},
       .required = true,
       .description = "The folder of JSON Lines files holding one entry per line; "
                      "`shardpipe dlq list` and `dlq replay` read it.",
       .example = "./dlq",
       .store = member(&DeadLetterConfig::path)},
      {.key = "url",
       .type = ValueType::string,
       .applies_to = {"http"},
       .required = true,
       .description = "Where entries are POSTed, as a JSON array; they count as dead-lettered "
                      "only once the answer is a 2xx, and are sent again otherwise.",
       .example = "http://127.0.0.1:8080/dead-letters",
       .store = member(&DeadLetterConfig::url),
       .check = check_http_url,
       .rule = "http:// or https:// URL"},
      {.key = "bootstrap_servers",
       .type = ValueType::comma_list,
       .applies_to = {"kafka"},
       .required = true,
       .description = "The Kafka brokers to connect to first, as host:port.",
       .example = "[broker1:9092]",
       .store = member(&DeadLetterConfig::bootstrap_servers)},
      {.key = "topic",
       .type = ValueType::string,
       .applies_to = {"kafka"},
       .required = true,
       .description = "The topic entries are produced to.",
       .example = "orders-dlq",
       .store = member(&DeadLetterConfig::topic)},
      {.key = "properties",
       .type = ValueType::string_map,
       .default_text = "{}",
       .applies_to = {"kafka"},
       .description = "librdkafka configuration properties of the producer (security, "
                      "compression, time-outs), passed through as they are. Entries are "
                      "written with an idempotent producer and acks=all, which may not be "
                      "changed.",
       .example = "{ security.protocol: ssl }",
       .store = member(&DeadLetterConfig::properties),
       .check = check_producer_properties,
       .rule = "enable.idempotence stays true and acks stays all"},
  };
  return table;
}

}  // namespace shardpipe::config
