#include "targets/kafka/kafka_sink.hpp"

#include <chrono>

namespace shardpipe::kafka_target {
namespace {

using namespace std::chrono_literals;

// How long a batch waits for the cluster to say whether the topic exists.
constexpr auto topic_check_timeout = 5s;

}  // namespace

KafkaSink::KafkaSink(std::shared_ptr<SharedProducer> shared, std::string shard_id)
    : shared_(std::move(shared)), shard_id_(std::move(shard_id)), keys_(shared_->key_field) {}

DeliveryOutcome KafkaSink::deliver(std::span<const Record> batch) {
  if (batch.empty()) return {};
  if (auto ready = shared_->topic.ensure(topic_check_timeout); !ready) {
    return DeliveryOutcome::failed(std::move(ready.error()));
  }

  std::vector<std::string> keys;
  keys.reserve(batch.size());  // the messages point into it
  std::vector<OutgoingMessage> messages;
  messages.reserve(batch.size());
  for (const Record& record : batch) {
    keys.push_back(keys_.key_for(record));
    messages.push_back(
        {.value = record.envelope,
         .key = keys.back(),
         .headers = {{"eventID", record.event_id}, {"shardpipe-source-shard", shard_id_}},
         // The engine keeps order per partition key, whatever the message key.
         .order_key = record.partition_key});
  }
  auto results = shared_->producer->send(messages);

  DeliveryOutcome outcome;
  outcome.accepted = batch.size();
  bool topic_in_doubt = false;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!results[i]) {
      outcome.delivered.push_back(batch[i].ordinal);
      continue;
    }
    // The producer cannot go on: the pipe stops, and a restart replays from the checkpoint.
    if (results[i]->error.kind == ErrorClass::fatal) {
      return DeliveryOutcome::failed(std::move(results[i]->error));
    }
    topic_in_doubt = topic_in_doubt || results[i]->unknown_topic;
    outcome.failed_items.push_back({i, std::move(results[i]->error)});
  }
  if (topic_in_doubt) {
    if (auto there = shared_->topic.recheck(topic_check_timeout);
        !there && there.error().kind == ErrorClass::fatal) {
      return DeliveryOutcome::failed(std::move(there.error()));
    }
  }
  return outcome;
}

}  // namespace shardpipe::kafka_target
