// The envelope of a Kafka message (CONTRACT section 3), in the shape AWS Lambda gives self-managed
// Kafka events: eventSource "SelfManagedKafka", the message's coordinates, key, value as
// data_encoding asks, and headers as [{"name":[bytes...]}].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/pipe_config.hpp"
#include "core/record.hpp"

namespace shardpipe::kafka {

// A consumed message, copied out of librdkafka so that its memory goes back at once.
struct ConsumedMessage {
  int64_t offset = 0;
  int64_t timestamp_ms = -1;   // -1: none
  std::string timestamp_type;  // CREATE_TIME | LOG_APPEND_TIME | NO_TIMESTAMP_TYPE
  std::optional<std::string> key;
  std::optional<std::string> value;  // null: a tombstone
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  size_t bytes() const { return (key ? key->size() : 0) + (value ? value->size() : 0) + 64; }
};

class KafkaEnvelopeWriter {
 public:
  KafkaEnvelopeWriter(std::string bootstrap_servers, std::string topic, int32_t partition,
                      config::DataEncoding data_encoding, config::KeyEncoding key_encoding);

  // A value that does not decode as data_encoding asks comes back with decode_failed, its error
  // and its raw bytes, and no envelope.
  Record render(const ConsumedMessage& message) const;

 private:
  std::string shard_id_;
  std::string head_;         // {"eventSource":"SelfManagedKafka","eventID":"<topic>-<partition>:
  std::string coordinates_;  // ,"bootstrapServers":...,"topic":...,"partition":N,"offset":
  config::DataEncoding data_encoding_;
  config::KeyEncoding key_encoding_;
};

}  // namespace shardpipe::kafka
