#include "targets/dead_letter/kafka_dead_letters.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>

#include "core/clock.hpp"
#include "kafka/client_config.hpp"
#include "targets/kafka/producer.hpp"
#include "targets/kafka/producer_settings.hpp"
#include "targets/kafka/topic_gate.hpp"

namespace shardpipe {
namespace {

using namespace std::chrono_literals;
using namespace kafka_target;

constexpr auto start_topic_check_timeout = 10s;
constexpr auto write_topic_check_timeout = 5s;

class KafkaDeadLetters final : public DeadLetterDestination {
 public:
  KafkaDeadLetters(kafka::ClientSettings settings, std::string topic, std::string pipe)
      : settings_(std::move(settings)), topic_(std::move(topic)), pipe_(std::move(pipe)) {}

  // (Re)creates the producer and looks for the topic.
  Status connect(std::chrono::milliseconds timeout) {
    auto conf = kafka::make_client_conf(settings_);
    if (!conf) return fail(std::move(conf.error()));
    auto producer = Producer::create(std::move(*conf), topic_);
    if (!producer) return fail(std::move(producer.error()));
    gate_.reset();
    producer_ = std::move(*producer);
    gate_ =
        std::make_unique<TopicGate>(*producer_, kafka::join_servers(settings_.bootstrap_servers));
    return gate_->ensure(timeout);
  }

  Status write(std::span<const DeadLetter> letters) override {
    if (letters.empty()) return {};
    // Shards dead-letter from their own threads; a producer that failed is replaced by one of
    // them while the others wait.
    std::lock_guard lock(mutex_);
    if (producer_->fatal_error()) {
      if (auto connected = connect(write_topic_check_timeout); !connected) {
        return fail(as_retriable(std::move(connected.error())));
      }
    }
    if (auto ready = gate_->ensure(write_topic_check_timeout); !ready) {
      return fail(as_retriable(std::move(ready.error())));
    }

    const int64_t now = unix_now_ms();
    std::vector<std::string> entries;
    entries.reserve(letters.size());  // the messages point into it
    std::vector<OutgoingMessage> messages;
    messages.reserve(letters.size());
    for (const auto& letter : letters) {
      const Record& record = *letter.record;
      entries.push_back(render_dead_letter(letter, pipe_, now));
      messages.push_back({.value = entries.back(),
                          .key = record.partition_key,
                          .headers = {{"eventID", record.event_id},
                                      {"condition", letter.condition},
                                      {"source-shard", letter.shard_id},
                                      {"source-sequence", record.sequence_number}}});
    }
    auto results = producer_->send(messages);
    size_t failed = 0;
    const Error* first = nullptr;
    for (const auto& result : results) {
      if (!result) continue;
      ++failed;
      if (!first) first = &result->error;
    }
    if (failed == 0) return {};
    // All again: an entry written twice carries its eventID, one never written is a lost record.
    return fail(Error::retriable(fmt::format("dead letters: {} of {} entries not written: {}",
                                             failed, letters.size(), first->message)));
  }

 private:
  // The engine writes dead letters again whatever the error; a fatal one says so in the log.
  static Error as_retriable(Error error) {
    error.kind = ErrorClass::retriable;
    return error;
  }

  kafka::ClientSettings settings_;
  std::string topic_;
  std::string pipe_;
  std::mutex mutex_;
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<TopicGate> gate_;  // refers to producer_
};

}  // namespace

Result<std::unique_ptr<DeadLetterDestination>> make_kafka_dead_letters(
    const config::DeadLetterConfig& config, const std::string& pipe) {
  auto destination = std::make_unique<KafkaDeadLetters>(
      producer_settings("dead_letter.properties", config.bootstrap_servers, config.properties),
      config.topic, pipe);
  if (auto connected = destination->connect(start_topic_check_timeout); !connected) {
    if (connected.error().kind == ErrorClass::fatal) return fail(std::move(connected.error()));
    spdlog::warn("kafka dead letters: {}; writes wait for them", connected.error().message);
  }
  return destination;
}

}  // namespace shardpipe
