// The envelope of a Kafka message (CONTRACT section 3), in the shape AWS Lambda gives self-managed
// Kafka events: eventSource "SelfManagedKafka", the message's coordinates, key, value as
// data_encoding asks, and headers as [{"name":[bytes...]}].
#pragma once

#include <cstdint>
#include <string>

#include "config/pipe_config.hpp"
#include "core/record.hpp"
#include "sources/kafka/consumed_message.hpp"

namespace shardpipe::kafka {

class KafkaEnvelopeWriter {
 public:
  KafkaEnvelopeWriter(std::string bootstrap_servers, std::string topic, int32_t partition,
                      config::DataEncoding data_encoding, config::KeyEncoding key_encoding);

  // A value that does not decode as data_encoding asks comes back with decode_failed, its error
  // and its raw bytes, and no envelope.
  Record render(const MessageView& message) const;

 private:
  std::string shard_id_;
  std::string head_;         // {"eventSource":"SelfManagedKafka","eventID":"<topic>-<partition>:
  std::string coordinates_;  // ,"bootstrapServers":...,"topic":...,"partition":N,"offset":
  config::DataEncoding data_encoding_;
  config::KeyEncoding key_encoding_;
};

}  // namespace shardpipe::kafka
