// The librdkafka settings shardpipe's guarantees rest on, in one place: the pipe file's check
// refuses other values (`validate` names the key and line), and the Kafka clients set them again
// when they start.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "config/properties.hpp"

namespace shardpipe::config {

struct KafkaSafetySetting {
  std::string_view key;
  std::string_view value;
  std::string_view why;  // ends "<key> must stay <value> because <why>"
};

// The source's consumer: offsets stored only once records are handled, committed by librdkafka.
inline constexpr KafkaSafetySetting kafka_consumer_safety[] = {
    {"enable.auto.offset.store", "false",
     "an offset is stored only once its record is delivered, filtered or dead-lettered"},
    {"enable.auto.commit", "true",
     "the stored (handled) offsets are committed every auto.commit.interval.ms"},
};

// The target's and the dead letters' producers: durable, neither duplicated nor reordered.
inline constexpr KafkaSafetySetting kafka_producer_safety[] = {
    {"enable.idempotence", "true",
     "the producer's own retries must neither duplicate nor reorder messages"},
    {"acks", "all", "a message counts as delivered only once every in-sync replica has it"},
};

// For a `properties` map: the problem with a protected key set otherwise, or "".
std::string check_kafka_safety(const Value& properties,
                               std::span<const KafkaSafetySetting> settings);

}  // namespace shardpipe::config
