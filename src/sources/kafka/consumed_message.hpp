// A message as librdkafka handed it over, kept as it is (no copy) until its envelope is
// rendered, and a view of its parts for rendering.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

struct rd_kafka_message_s;

namespace shardpipe::kafka {

struct MessageDeleter {
  void operator()(rd_kafka_message_s* message) const;
};
using ConsumedMessage = std::unique_ptr<rd_kafka_message_s, MessageDeleter>;

int64_t offset_of(const ConsumedMessage& message);
// What the message holds in memory, roughly: for the queue's bound.
size_t bytes_of(const ConsumedMessage& message);

// Borrows from the message; valid while it lives.
struct MessageView {
  int64_t offset = 0;
  int64_t timestamp_ms = -1;        // -1: none
  std::string_view timestamp_type;  // CREATE_TIME | LOG_APPEND_TIME | NO_TIMESTAMP_TYPE
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;  // none: a tombstone
  std::vector<std::pair<std::string_view, std::optional<std::string_view>>> headers;
};

MessageView view_of(const ConsumedMessage& message);

}  // namespace shardpipe::kafka
