#include "sources/kafka/consumed_message.hpp"

#include <librdkafka/rdkafka.h>

namespace shardpipe::kafka {

void MessageDeleter::operator()(rd_kafka_message_s* message) const {
  rd_kafka_message_destroy(message);
}

int64_t offset_of(const ConsumedMessage& message) {
  return message->offset;
}

size_t bytes_of(const ConsumedMessage& message) {
  return message->len + message->key_len + 64;
}

MessageView view_of(const ConsumedMessage& message) {
  MessageView view;
  view.offset = message->offset;
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  view.timestamp_ms = rd_kafka_message_timestamp(message.get(), &type);
  view.timestamp_type = type == RD_KAFKA_TIMESTAMP_CREATE_TIME       ? "CREATE_TIME"
                        : type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? "LOG_APPEND_TIME"
                                                                     : "NO_TIMESTAMP_TYPE";
  if (message->key) view.key.emplace(static_cast<const char*>(message->key), message->key_len);
  if (message->payload) {
    view.value.emplace(static_cast<const char*>(message->payload), message->len);
  }
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message.get(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      std::optional<std::string_view> bytes;
      if (value) bytes.emplace(static_cast<const char*>(value), size);
      view.headers.emplace_back(name, bytes);
    }
  }
  return view;
}

}  // namespace shardpipe::kafka
