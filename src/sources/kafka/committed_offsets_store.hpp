// The checkpoints of a Kafka pipe seen from outside its consumer group, for `status`,
// `checkpoint list|set` and `verify`: the group's committed offsets (as the last handled offset,
// one less) and which member holds each partition. `checkpoint set` commits new offsets, which
// Kafka accepts only while no worker of the group runs.
#pragma once

#include <memory>

#include "coordination/checkpoint_store.hpp"
#include "sources/kafka/cluster_client.hpp"

namespace shardpipe::kafka {

Result<std::unique_ptr<coordination::CheckpointStore>> open_committed_offsets_store(
    const config::SourceConfig& source);

}  // namespace shardpipe::kafka
