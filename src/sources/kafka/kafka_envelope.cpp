#include "sources/kafka/kafka_envelope.hpp"

#include <fmt/format.h>

#include "core/json_text.hpp"
#include "sources/encoded_data.hpp"

namespace shardpipe::kafka {
namespace {

void append_number(std::string& json, int64_t value) {
  fmt::format_to(std::back_inserter(json), "{}", value);
}

// A header's name is meant to be UTF-8 (Kafka's Java clients read it so, with replacements), but
// the protocol carries any bytes: each byte that does not start a valid sequence becomes U+FFFD,
// so that the envelope stays JSON.
std::string valid_utf8(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size();) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    const size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (i + length <= bytes.size() && is_valid_utf8(bytes.substr(i, length))) {
      out.append(bytes.substr(i, length));
      i += length;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

// As Lambda does: each header an object of one name and its value's bytes as numbers.
void append_headers(std::string& json, const MessageView& message) {
  json.push_back('[');
  bool first = true;
  for (const auto& [name, value] : message.headers) {
    if (!first) json.push_back(',');
    first = false;
    json.push_back('{');
    if (is_valid_utf8(name)) {
      append_json_string(json, name);
    } else {
      append_json_string(json, valid_utf8(name));
    }
    json.append(":[");
    if (value) {
      for (size_t i = 0; i < value->size(); ++i) {
        if (i) json.push_back(',');
        append_number(json, static_cast<unsigned char>((*value)[i]));
      }
    }
    json.append("]}");
  }
  json.push_back(']');
}

}  // namespace

KafkaEnvelopeWriter::KafkaEnvelopeWriter(std::string bootstrap_servers, std::string topic,
                                         int32_t partition, config::DataEncoding data_encoding,
                                         config::KeyEncoding key_encoding)
    : shard_id_(fmt::format("{}-{}", topic, partition)),
      data_encoding_(data_encoding),
      key_encoding_(key_encoding) {
  head_ = R"({"eventSource":"SelfManagedKafka","eventID":)";
  coordinates_ = R"(,"bootstrapServers":)";
  append_json_string(coordinates_, bootstrap_servers);
  coordinates_ += R"(,"topic":)";
  append_json_string(coordinates_, topic);
  coordinates_ += fmt::format(R"(,"partition":{},"offset":)", partition);
}

Record KafkaEnvelopeWriter::render(const MessageView& message) const {
  Record out;
  out.sequence_number = std::to_string(message.offset);
  out.event_id = shard_id_ + ":" + out.sequence_number;
  out.partition_key = std::string(message.key.value_or(""));
  out.arrival_ms = message.timestamp_ms;
  std::string& json = out.envelope;
  json.reserve(head_.size() + coordinates_.size() + 160 + out.event_id.size() +
               (message.value ? message.value->size() * 4 / 3 : 0) +
               (message.key ? message.key->size() * 4 / 3 : 0));
  json.append(head_);
  append_json_string(json, out.event_id);
  json.append(coordinates_);
  json.append(out.sequence_number);
  json.append(R"(,"timestamp":)");
  append_number(json, message.timestamp_ms);
  json.append(R"(,"timestampType":")").append(message.timestamp_type).append("\"");
  json.append(R"(,"key":)");
  if (!message.key) {
    json.append("null");
  } else if (key_encoding_ == config::KeyEncoding::text && is_valid_utf8(*message.key)) {
    append_json_string(json, *message.key);
  } else {
    json.push_back('"');
    append_base64(json, *message.key);
    json.push_back('"');
    if (key_encoding_ == config::KeyEncoding::text) json.append(R"(,"keyEncoding":"base64")");
  }
  json.append(R"(,"value":)");
  if (!message.value) {
    json.append("null");
  } else if (!append_encoded_data(json, *message.value, data_encoding_, out.decode_error)) {
    out.decode_failed = true;
    out.raw_data = std::string(*message.value);
    json.clear();
    return out;
  }
  json.append(R"(,"headers":)");
  append_headers(json, message);
  json.push_back('}');
  return out;
}

}  // namespace shardpipe::kafka
