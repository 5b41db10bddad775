// The kafka target: each record produced to one Kafka topic by an idempotent producer that every
// shard's sink shares, each batch answered only once every message has its delivery report
// (see docs/kafka-target.md).
#pragma once

#include <memory>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "targets/target.hpp"

namespace shardpipe {

// Builds the producer and looks for the topic (for up to 10 s): a bad or protected property, or
// a topic that does not exist, is fatal. Brokers that cannot be reached are not: the first batch
// asks again, and fails as retriable until they answer.
Result<std::unique_ptr<Target>> make_kafka_target(const config::TargetConfig& config);

}  // namespace shardpipe
