// One idempotent librdkafka producer for one topic, shared by every thread that sends with it
// (librdkafka producers are thread safe). `send` produces a set of messages and waits for the
// delivery report of each one, so its caller knows which are durably in the topic.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "kafka/client_config.hpp"
#include "targets/kafka/topic_check.hpp"

namespace shardpipe::kafka_target {

struct OutgoingMessage {
  std::string_view value;
  std::string_view key;  // empty: no key
  std::vector<std::pair<const char*, std::string_view>> headers;
  // Messages that share a non-empty order key stay in order: once one is refused before it is
  // sent, the later ones are not sent either (they fail as retriable), so that sending them again
  // after it neither reorders nor duplicates them.
  std::string_view order_key;
};

// Why a message is not delivered. `unknown_topic`: the topic (or its partition) was unknown, which
// only a look at the cluster's topics tells apart from a leader change.
struct SendFailure {
  Error error;
  bool unknown_topic = false;
};

class Producer {
 public:
  // Takes the configuration (see producer_settings.hpp); `topic` is where every message goes.
  static Result<std::unique_ptr<Producer>> create(kafka::ConfPtr conf, std::string topic);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // One result per message, in order: nullopt when it was delivered (acknowledged by every
  // in-sync replica). Returns when every message has its delivery report, or when
  // message.timeout.ms (and a margin) has passed: the messages still without a report then fail
  // as retriable, although they may yet arrive.
  std::vector<std::optional<SendFailure>> send(std::span<const OutgoingMessage> messages);

  // Whether the topic exists, asking the cluster for at most `timeout`.
  TopicCheck check_topic(std::chrono::milliseconds timeout);

  // The producer cannot send any more (an idempotence error librdkafka cannot recover from):
  // the reason, or nullopt.
  std::optional<std::string> fatal_error() const;

  const std::string& topic() const { return topic_; }

 private:
  class Impl;
  explicit Producer(std::unique_ptr<Impl> impl, std::string topic);
  std::unique_ptr<Impl> impl_;
  std::string topic_;
};

}  // namespace shardpipe::kafka_target
