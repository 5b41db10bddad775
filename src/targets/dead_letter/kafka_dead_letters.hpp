// The kafka dead-letter destination: each entry (CONTRACT section 4) one message on a topic, keyed
// by the record's partition key, with its provenance in headers (eventID, condition, source-shard,
// source-sequence). A write returns only once every message is acknowledged by every in-sync
// replica (idempotent producer, acks=all); any failure is retriable, so the engine writes the
// entries again and never checkpoints past them.
#pragma once

#include <memory>
#include <string>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "targets/dead_letter/dead_letters.hpp"

namespace shardpipe {

// A bad or protected property, or a topic that does not exist, is fatal; brokers that cannot be
// reached for 10 s are not (writes fail as retriable until they answer).
Result<std::unique_ptr<DeadLetterDestination>> make_kafka_dead_letters(
    const config::DeadLetterConfig& config, const std::string& pipe);

}  // namespace shardpipe
