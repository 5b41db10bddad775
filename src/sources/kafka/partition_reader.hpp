// Reads one assigned partition: takes messages from its queue and renders their envelopes.
#pragma once

#include <memory>

#include "sources/kafka/group_member.hpp"
#include "sources/kafka/kafka_envelope.hpp"
#include "sources/source.hpp"

namespace shardpipe::kafka {

class PartitionReader final : public ShardReader {
 public:
  PartitionReader(std::shared_ptr<GroupMember> member, TopicPartition partition,
                  std::shared_ptr<PartitionQueue> queue, KafkaEnvelopeWriter writer)
      : member_(std::move(member)),
        partition_(std::move(partition)),
        queue_(std::move(queue)),
        writer_(std::move(writer)) {}

  Result<ReadBatch> read(size_t max_records, size_t max_bytes) override;

 private:
  std::shared_ptr<GroupMember> member_;
  TopicPartition partition_;
  std::shared_ptr<PartitionQueue> queue_;
  KafkaEnvelopeWriter writer_;
};

}  // namespace shardpipe::kafka
