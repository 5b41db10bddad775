// Whether a topic exists, from a metadata request for every topic of the cluster: asking for the
// topic by name could create it on a broker that auto-creates topics.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

struct rd_kafka_s;

namespace shardpipe::kafka_target {

enum class TopicState { exists, missing, unreachable };

struct TopicCheck {
  TopicState state = TopicState::unreachable;
  std::string detail;  // why the cluster could not be asked, for unreachable
};

TopicCheck check_topic(rd_kafka_s* client, std::string_view topic,
                       std::chrono::milliseconds timeout);

}  // namespace shardpipe::kafka_target
