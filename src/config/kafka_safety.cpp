#include "config/kafka_safety.hpp"

#include <map>

namespace shardpipe::config {

std::string check_kafka_safety(const Value& properties,
                               std::span<const KafkaSafetySetting> settings) {
  const auto& map = std::get<std::map<std::string, std::string>>(properties);
  for (const auto& kept : settings) {
    auto found = map.find(std::string(kept.key));
    if (found == map.end() || found->second == kept.value) continue;
    // "-1" is librdkafka's other spelling of acks=all.
    if (kept.key == "acks" && found->second == "-1") continue;
    return std::string(kept.key) + " must stay " + std::string(kept.value) + " because " +
           std::string(kept.why) + "; remove it from properties";
  }
  return {};
}

}  // namespace shardpipe::config
