// The topic's existence as a delivery needs it: confirmed once (when the target starts, or with
// the first batch if the brokers could not be reached then), and looked at again when messages
// come back with an unknown topic. A topic that is not there is fatal, as a missing Kinesis
// stream is: dead-lettering every record would empty the pipe into its dead letters.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

#include "core/result.hpp"
#include "targets/kafka/producer.hpp"

namespace shardpipe::kafka_target {

class TopicGate {
 public:
  TopicGate(Producer& producer, std::string brokers) : producer_(producer), brokers_(brokers) {}

  // Asks the cluster unless the topic is already confirmed: fatal when the topic is missing,
  // retriable when the brokers cannot be reached within `timeout`.
  Status ensure(std::chrono::milliseconds timeout);
  // Forgets the confirmation and asks again (after an unknown-topic report).
  Status recheck(std::chrono::milliseconds timeout);

 private:
  Producer& producer_;
  std::string brokers_;  // for messages
  std::atomic<bool> confirmed_{false};
  std::mutex mutex_;  // one question at a time
};

}  // namespace shardpipe::kafka_target
