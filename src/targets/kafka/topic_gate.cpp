#include "targets/kafka/topic_gate.hpp"

#include <fmt/format.h>

namespace shardpipe::kafka_target {

Status TopicGate::ensure(std::chrono::milliseconds timeout) {
  if (confirmed_.load()) return {};
  std::lock_guard lock(mutex_);
  if (confirmed_.load()) return {};
  auto check = producer_.check_topic(timeout);
  switch (check.state) {
    case TopicState::exists:
      confirmed_.store(true);
      return {};
    case TopicState::missing:
      return fail(Error::fatal(fmt::format(
          "Kafka topic {} not found at {}; create it (shardpipe does not create topics)",
          producer_.topic(), brokers_)));
    case TopicState::unreachable:
      break;
  }
  return fail(Error::retriable(fmt::format("Kafka brokers {} not reachable within {} ms: {}",
                                           brokers_, timeout.count(), check.detail)));
}

Status TopicGate::recheck(std::chrono::milliseconds timeout) {
  confirmed_.store(false);
  return ensure(timeout);
}

}  // namespace shardpipe::kafka_target
