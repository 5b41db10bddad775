#include "targets/kafka/producer_settings.hpp"

namespace shardpipe::kafka_target {

kafka::ClientSettings producer_settings(std::string what, std::vector<std::string> servers,
                                        std::map<std::string, std::string> properties) {
  return kafka::ClientSettings{
      .what = std::move(what),
      .bootstrap_servers = std::move(servers),
      .properties = std::move(properties),
      .protected_settings = kafka::protect(config::kafka_producer_safety),
      .defaults = {
          {"linger.ms", "5"},
          // A delivery that takes longer fails the batch back to the engine, whose retry policy
          // and shutdown take over (librdkafka's own default is five minutes).
          {"message.timeout.ms", "30000"},
          // A misspelt topic is an error, never a new topic.
          {"allow.auto.create.topics", "false"},
          // Brokers close idle connections; that is not worth a log line.
          {"log.connection.close", "false"},
      }};
}

}  // namespace shardpipe::kafka_target
