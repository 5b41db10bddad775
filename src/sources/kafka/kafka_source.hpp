// Apache Kafka as a source: each topic-partition is a shard ("<topic>-<partition>"). A running
// pipe is a member of the consumer group (group_member.hpp), which hands out the partitions and
// keeps the checkpoints as committed offsets; commands ask the cluster from outside the group.
#pragma once

#include <memory>

#include "config/pipe_config.hpp"
#include "sources/source.hpp"

namespace shardpipe {

Result<std::unique_ptr<Source>> make_kafka_source(const config::SourceConfig& config);

}  // namespace shardpipe
