#include "targets/kafka/kafka_target.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "kafka/client_config.hpp"
#include "targets/kafka/kafka_sink.hpp"
#include "targets/kafka/producer_settings.hpp"

namespace shardpipe {
namespace {

using namespace std::chrono_literals;
using namespace kafka_target;

// How long the start waits for the brokers to say whether the topic exists.
constexpr auto start_topic_check_timeout = 10s;

class KafkaTarget final : public Target {
 public:
  explicit KafkaTarget(std::shared_ptr<SharedProducer> shared) : shared_(std::move(shared)) {}
  Result<std::unique_ptr<ShardSink>> open_shard(const std::string& shard_id) override {
    return std::make_unique<KafkaSink>(shared_, shard_id);
  }

 private:
  std::shared_ptr<SharedProducer> shared_;
};

}  // namespace

Result<std::unique_ptr<Target>> make_kafka_target(const config::TargetConfig& config) {
  // Transactions belong with the source's offsets; until then the producer stays idempotent.
  if (config.exactly_once) return fail(Error::fatal("target.exactly_once is not available yet"));
  if (config.properties.contains("transactional.id")) {
    return fail(Error::fatal(
        "target.properties: transactional.id: shardpipe manages transactions itself (see "
        "target.exactly_once); remove it"));
  }
  auto conf = kafka::make_client_conf(
      producer_settings("target.properties", config.bootstrap_servers, config.properties));
  if (!conf) return fail(std::move(conf.error()));
  auto producer = Producer::create(std::move(*conf), config.topic);
  if (!producer) return fail(std::move(producer.error()));
  auto shared = std::make_shared<SharedProducer>(
      std::move(*producer), kafka::join_servers(config.bootstrap_servers), config.key_field);
  if (auto ready = shared->topic.ensure(start_topic_check_timeout); !ready) {
    if (ready.error().kind == ErrorClass::fatal) return fail(std::move(ready.error()));
    spdlog::warn("kafka target: {}; batches wait for them", ready.error().message);
  }
  return std::make_unique<KafkaTarget>(std::move(shared));
}

}  // namespace shardpipe
