#include "targets/kafka/topic_check.hpp"

#include <librdkafka/rdkafka.h>

namespace shardpipe::kafka_target {

TopicCheck check_topic(rd_kafka_s* client, std::string_view topic,
                       std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* metadata = nullptr;
  const auto asked = rd_kafka_metadata(client, /*all_topics=*/1, nullptr, &metadata,
                                       static_cast<int>(timeout.count()));
  if (asked != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return {TopicState::unreachable, rd_kafka_err2str(asked)};
  }
  TopicCheck check{TopicState::missing, {}};
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const auto& found = metadata->topics[i];
    if (topic != found.topic) continue;
    // Other errors (no leader yet, say) are about a topic that is there.
    if (found.err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) check.state = TopicState::exists;
    break;
  }
  rd_kafka_metadata_destroy(metadata);
  return check;
}

}  // namespace shardpipe::kafka_target
