// One partition read from outside the consumer group, for `verify`: librdkafka's simple consumer
// on the partition alone, with no group id, so reading never joins the group (no rebalance of the
// running workers) and can never commit an offset for it.
#pragma once

#include <cstdint>
#include <memory>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "sources/kafka/kafka_envelope.hpp"
#include "sources/kafka/topic_partition.hpp"
#include "sources/source.hpp"

struct rd_kafka_s;
struct rd_kafka_topic_s;

namespace shardpipe::kafka {

class OutsideReader final : public ShardReader {
 public:
  // `start_offset`: an offset, or librdkafka's logical offsets (beginning -2, end -1).
  static Result<std::unique_ptr<ShardReader>> open(const config::SourceConfig& source,
                                                   const TopicPartition& partition,
                                                   int64_t start_offset);
  ~OutsideReader() override;
  OutsideReader(const OutsideReader&) = delete;
  OutsideReader& operator=(const OutsideReader&) = delete;

  // Records as a group member renders them; an empty batch once the partition's end (as it was
  // when the read reached it) is reached.
  Result<ReadBatch> read(size_t max_records, size_t max_bytes) override;

 private:
  OutsideReader(rd_kafka_s* handle, rd_kafka_topic_s* topic, TopicPartition partition,
                KafkaEnvelopeWriter writer);

  rd_kafka_s* handle_;
  rd_kafka_topic_s* topic_;
  TopicPartition partition_;
  KafkaEnvelopeWriter writer_;
  bool at_end_ = false;
};

}  // namespace shardpipe::kafka
