#include "sources/kafka/kafka_source.hpp"

#include <fmt/format.h>

#include <mutex>

#include "kafka/client_config.hpp"
#include "sources/kafka/cluster_client.hpp"
#include "sources/kafka/group_checkpoints.hpp"
#include "sources/kafka/group_member.hpp"
#include "sources/kafka/outside_reader.hpp"
#include "sources/kafka/partition_reader.hpp"

namespace shardpipe {
namespace {

using kafka::TopicPartition;

class KafkaSource final : public Source {
 public:
  explicit KafkaSource(config::SourceConfig config) : config_(std::move(config)) {}

  std::string type() const override { return "kafka"; }

  Result<std::unique_ptr<coordination::CheckpointStore>> join(
      const std::string& worker_id) override {
    auto member = kafka::GroupMember::join(config_, worker_id);
    if (!member) return fail(member.error());
    member_ = std::move(*member);
    return std::unique_ptr<coordination::CheckpointStore>(
        std::make_unique<kafka::GroupCheckpoints>(member_, worker_id));
  }

  bool knows_its_shards() const override { return !member_ || member_->assigned_once(); }

  // A member lists what the group assigned to it; from outside the group, every partition.
  Result<std::vector<ShardDescription>> list_shards() override {
    std::vector<ShardDescription> shards;
    if (member_) {
      if (auto error = member_->fatal_error()) return fail(*error);
      for (const auto& partition : member_->assigned()) {
        shards.push_back({partition.shard_id(), {}, true});
      }
      return shards;
    }
    auto client = cluster_client();
    if (!client) return fail(client.error());
    auto partitions = (*client)->partitions();
    if (!partitions) return fail(partitions.error());
    for (const auto& partition : *partitions) shards.push_back({partition.shard_id(), {}, true});
    return shards;
  }

  Result<std::unique_ptr<ShardReader>> open_shard(const std::string& shard_id,
                                                  const StartPosition& start) override {
    auto partition = TopicPartition::parse(shard_id);
    if (!partition) return fail(Error::fatal("not a Kafka topic-partition: " + shard_id));
    if (!member_) {
      // From outside the group (`verify`): a reader of its own that never joins it.
      auto wanted = start_offset(*partition, start);
      if (!wanted) return fail(wanted.error());
      return kafka::OutsideReader::open(config_, *partition, *wanted);
    }
    auto assignment = member_->assignment(*partition);
    if (!assignment) {
      return fail(Error::retriable(shard_id + " is not assigned to this worker"));
    }
    auto wanted = start_offset(*partition, start);
    if (!wanted) return fail(wanted.error());
    // The assignment already positioned the partition where its checkpoint says; only a reader
    // that starts elsewhere (a new reader after records were abandoned) moves it.
    if (*wanted != assignment->queue->next_offset() &&
        !(*wanted == RD_KAFKA_OFFSET_BEGINNING_VALUE && assignment->queue->next_offset() == 0)) {
      if (auto moved = member_->seek(*partition, *wanted); !moved) return fail(moved.error());
    }
    kafka::KafkaEnvelopeWriter writer(member_->bootstrap_servers(), partition->topic,
                                      partition->partition, config_.data_encoding,
                                      config_.key_encoding);
    return std::unique_ptr<ShardReader>(std::make_unique<kafka::PartitionReader>(
        member_, *partition, assignment->queue, std::move(writer)));
  }

  Result<std::string> resolve_latest(const std::string& shard_id) override {
    auto partition = TopicPartition::parse(shard_id);
    if (!partition || !member_) return fail(Error::fatal("cannot resolve LATEST of " + shard_id));
    auto marks = member_->watermarks(*partition);
    if (!marks) return fail(marks.error());
    return marks->high > 0 ? std::to_string(marks->high - 1)
                           : std::string(coordination::checkpoint_trim_horizon);
  }

  // High watermark minus the committed offset (the checkpoint plus one).
  Result<ShardLag> lag(const std::string& shard_id, const std::string& checkpoint) override {
    auto partition = TopicPartition::parse(shard_id);
    if (!partition) return fail(Error::permanent("not a Kafka topic-partition: " + shard_id));
    std::optional<int64_t> high;
    int64_t low = 0;
    if (member_) high = member_->cached_high_watermark(*partition);
    if (!high) {
      Result<std::pair<int64_t, int64_t>> marks = fail(Error::retriable("no watermarks"));
      if (member_) {
        auto member_marks = member_->watermarks(*partition);
        if (!member_marks) return fail(member_marks.error());
        marks = std::pair{member_marks->low, member_marks->high};
      } else {
        auto client = cluster_client();
        if (!client) return fail(client.error());
        marks = (*client)->watermarks(*partition);
      }
      if (!marks) return fail(marks.error());
      low = marks->first;
      high = marks->second;
    }
    int64_t next = checkpoint.empty() ? low : std::stoll(checkpoint) + 1;
    ShardLag lag;
    lag.records_behind = static_cast<uint64_t>(std::max<int64_t>(0, *high - next));
    return lag;
  }

 private:
  static constexpr int64_t RD_KAFKA_OFFSET_BEGINNING_VALUE = -2;
  static constexpr int64_t RD_KAFKA_OFFSET_END_VALUE = -1;

  Result<int64_t> start_offset(const TopicPartition& partition, const StartPosition& start) {
    switch (start.kind) {
      case StartKind::after_sequence_number:
        return std::stoll(start.sequence_number) + 1;
      case StartKind::at_sequence_number:
        return std::stoll(start.sequence_number);
      case StartKind::trim_horizon:
        return RD_KAFKA_OFFSET_BEGINNING_VALUE;
      case StartKind::latest:
        return RD_KAFKA_OFFSET_END_VALUE;
      case StartKind::at_timestamp: {
        if (member_) return member_->offset_for_time(partition, start.timestamp_ms);
        auto client = cluster_client();
        if (!client) return fail(client.error());
        return (*client)->offset_for_time(partition, start.timestamp_ms);
      }
    }
    return RD_KAFKA_OFFSET_BEGINNING_VALUE;
  }

  Result<kafka::ClusterClient*> cluster_client() {
    std::lock_guard lock(mutex_);
    if (!client_) {
      auto client = kafka::ClusterClient::connect(config_);
      if (!client) return fail(client.error());
      client_ = std::move(*client);
    }
    return client_.get();
  }

  config::SourceConfig config_;
  std::shared_ptr<kafka::GroupMember> member_;
  std::mutex mutex_;  // guards client_
  std::unique_ptr<kafka::ClusterClient> client_;
};

}  // namespace

Result<std::unique_ptr<Source>> make_kafka_source(const config::SourceConfig& config) {
  if (config.topics.empty()) return fail(Error::fatal("source.topics: name at least one topic"));
  return std::unique_ptr<Source>(std::make_unique<KafkaSource>(config));
}

}  // namespace shardpipe
