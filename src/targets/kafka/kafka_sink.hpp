// A shard's sink of the kafka target: each batch produced in order and answered per record from
// the delivery reports (a partial batch failure when some are refused).
#pragma once

#include <memory>
#include <string>

#include "targets/kafka/message_key.hpp"
#include "targets/kafka/producer.hpp"
#include "targets/kafka/topic_gate.hpp"
#include "targets/target.hpp"

namespace shardpipe::kafka_target {

// What the sinks of one target share.
struct SharedProducer {
  SharedProducer(std::unique_ptr<Producer> p, std::string brokers, std::string field)
      : producer(std::move(p)), topic(*producer, std::move(brokers)), key_field(std::move(field)) {}

  std::unique_ptr<Producer> producer;
  TopicGate topic;
  std::string key_field;
};

class KafkaSink final : public ShardSink {
 public:
  KafkaSink(std::shared_ptr<SharedProducer> shared, std::string shard_id);

  DeliveryOutcome deliver(std::span<const Record> batch) override;
  // Nothing is buffered: deliver returns only once its records have their reports.
  DeliveryOutcome flush() override { return {}; }
  size_t pending() const override { return 0; }

 private:
  std::shared_ptr<SharedProducer> shared_;
  std::string shard_id_;
  MessageKeySelector keys_;  // this sink's own parser: a sink is used by one thread
};

}  // namespace shardpipe::kafka_target
