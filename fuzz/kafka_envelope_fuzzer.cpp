// Kafka envelopes (src/sources/kafka/kafka_envelope.*): the input is a message, split at "\n%%\n"
// into options, key, value and headers ("name=value"; a name without '=' has a null value). The
// options' first byte picks the data encoding (bits 0-1: base64, json, text, json), the key
// encoding (bit 2: base64), a null key (bit 3), a null value (bit 4) and the timestamp type
// (bits 5-6); the rest of that part may hold "OFFSET TIMESTAMP" in decimal. So 'A' is a JSON
// value with a text key, '@' base64, 'B' text, 'E' a base64 key, 'I' no key, 'Q' a tombstone. Any
// bytes must give an envelope that is valid JSON and whose fields decode back to the message (or,
// for a value that is not what data_encoding asks, a decode failure that keeps the value).
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_text.hpp"
#include "sources/kafka/consumed_message.hpp"
#include "sources/kafka/kafka_envelope.hpp"

namespace {

namespace kafka = shardpipe::kafka;
using nlohmann::json;
using shardpipe::config::DataEncoding;
using shardpipe::config::KeyEncoding;

constexpr std::string_view kSeparator = "\n%%\n";
constexpr DataEncoding kDataEncodings[] = {DataEncoding::base64, DataEncoding::json,
                                           DataEncoding::text, DataEncoding::json};
// Indexed by bits 5-6, so that printable seeds can pick them: '!'..'?' LOG_APPEND_TIME, letters
// CREATE_TIME.
constexpr std::string_view kTimestampTypes[] = {"NO_TIMESTAMP_TYPE", "LOG_APPEND_TIME",
                                                "CREATE_TIME", "CREATE_TIME"};

struct Input {
  kafka::MessageView message;
  DataEncoding data_encoding = DataEncoding::base64;
  KeyEncoding key_encoding = KeyEncoding::text;
};

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> parts;
  for (size_t cut; (cut = text.find(kSeparator)) != std::string_view::npos;) {
    parts.push_back(text.substr(0, cut));
    text.remove_prefix(cut + kSeparator.size());
  }
  parts.push_back(text);
  return parts;
}

Input read_input(std::string_view bytes) {
  Input in;
  auto parts = split(bytes);
  std::string_view options = parts[0];
  const auto flags = options.empty() ? 0u : static_cast<unsigned char>(options[0]);
  in.data_encoding = kDataEncodings[flags & 3];
  in.key_encoding = flags & 4 ? KeyEncoding::base64 : KeyEncoding::text;
  in.message.timestamp_type = kTimestampTypes[(flags >> 5) & 3];
  if (!options.empty()) {
    // "OFFSET TIMESTAMP" after the flags; whatever does not parse keeps its default.
    const char* at = options.data() + 1;
    const char* end = options.data() + options.size();
    at = std::from_chars(at, end, in.message.offset).ptr;
    if (at < end && *at == ' ') std::from_chars(at + 1, end, in.message.timestamp_ms);
  }
  if (!(flags & 8)) in.message.key = parts.size() > 1 ? parts[1] : std::string_view();
  if (!(flags & 16)) in.message.value = parts.size() > 2 ? parts[2] : std::string_view();
  for (size_t i = 3; i < parts.size(); ++i) {
    size_t equals = parts[i].find('=');
    if (equals == std::string_view::npos) {
      in.message.headers.emplace_back(parts[i], std::nullopt);
    } else {
      in.message.headers.emplace_back(parts[i].substr(0, equals), parts[i].substr(equals + 1));
    }
  }
  return in;
}

std::string base64_decoded(const json& value) {
  std::string bytes;
  if (!value.is_string() || !shardpipe::base64_decode(value.get<std::string>(), bytes)) {
    std::abort();
  }
  return bytes;
}

void check_key(const json& envelope, const Input& in) {
  const auto& key = in.message.key;
  const json& written = envelope.at("key");
  if (!key) {
    if (!written.is_null() || envelope.contains("keyEncoding")) std::abort();
    return;
  }
  const bool as_text = in.key_encoding == KeyEncoding::text && shardpipe::is_valid_utf8(*key);
  if (as_text) {
    if (!written.is_string() || written.get<std::string>() != *key) std::abort();
    if (envelope.contains("keyEncoding")) std::abort();
    return;
  }
  if (base64_decoded(written) != *key) std::abort();
  // Base64 where text was asked for says so.
  if (envelope.contains("keyEncoding") != (in.key_encoding == KeyEncoding::text)) std::abort();
}

void check_value(const json& envelope, const Input& in) {
  const auto& value = in.message.value;
  const json& written = envelope.at("value");
  if (!value) {
    if (!written.is_null()) std::abort();
    return;
  }
  switch (in.data_encoding) {
    case DataEncoding::base64:
      if (base64_decoded(written) != *value) std::abort();
      break;
    case DataEncoding::text:
      if (!written.is_string() || written.get<std::string>() != *value) std::abort();
      break;
    case DataEncoding::json:
      if (written != json::parse(*value)) std::abort();
      break;
  }
}

void check_headers(const json& envelope, const Input& in) {
  const json& headers = envelope.at("headers");
  if (!headers.is_array() || headers.size() != in.message.headers.size()) std::abort();
  for (size_t i = 0; i < headers.size(); ++i) {
    const auto& [name, value] = in.message.headers[i];
    const json& header = headers[i];
    if (!header.is_object() || header.size() != 1) std::abort();
    // A name that is not UTF-8 is written with U+FFFD in place of what is not.
    const std::string& written = header.begin().key();
    if (shardpipe::is_valid_utf8(name) ? written != name
                                       : written.find("\xEF\xBF\xBD") == std::string::npos) {
      std::abort();
    }
    const json& bytes = header.begin().value();
    if (!bytes.is_array() || bytes.size() != (value ? value->size() : 0)) std::abort();
    for (size_t b = 0; b < bytes.size(); ++b) {
      if (bytes[b] != static_cast<unsigned char>((*value)[b])) std::abort();
    }
  }
}

void check(const Input& in) {
  static const kafka::KafkaEnvelopeWriter writers[] = {
      {"broker1:9092,broker2:9092", "orders", 3, DataEncoding::base64, KeyEncoding::text},
      {"broker1:9092,broker2:9092", "orders", 3, DataEncoding::json, KeyEncoding::text},
      {"broker1:9092,broker2:9092", "orders", 3, DataEncoding::text, KeyEncoding::text},
      {"broker1:9092,broker2:9092", "orders", 3, DataEncoding::base64, KeyEncoding::base64},
      {"broker1:9092,broker2:9092", "orders", 3, DataEncoding::json, KeyEncoding::base64},
      {"broker1:9092,broker2:9092", "orders", 3, DataEncoding::text, KeyEncoding::base64},
  };
  const size_t encoding = in.data_encoding == DataEncoding::base64 ? 0
                          : in.data_encoding == DataEncoding::json ? 1
                                                                   : 2;
  const auto& writer = writers[encoding + (in.key_encoding == KeyEncoding::base64 ? 3 : 0)];
  auto out = writer.render(in.message);

  if (out.sequence_number != std::to_string(in.message.offset) ||
      out.event_id != "orders-3:" + out.sequence_number) {
    std::abort();
  }
  if (out.decode_failed) {
    // Only a value that is not what data_encoding asks, kept for the dead letters.
    if (!in.message.value || in.data_encoding == DataEncoding::base64 ||
        out.raw_data != *in.message.value || !out.envelope.empty() || out.decode_error.empty()) {
      std::abort();
    }
    return;
  }
  if (!shardpipe::is_valid_json(out.envelope)) std::abort();
  json envelope = json::parse(out.envelope, nullptr, /*allow_exceptions=*/false);
  if (!envelope.is_object()) std::abort();
  if (envelope.at("eventSource") != "SelfManagedKafka" || envelope.at("eventID") != out.event_id ||
      envelope.at("topic") != "orders" || envelope.at("partition") != 3 ||
      envelope.at("offset") != in.message.offset ||
      envelope.at("timestamp") != in.message.timestamp_ms ||
      envelope.at("timestampType") != in.message.timestamp_type) {
    std::abort();
  }
  check_key(envelope, in);
  check_value(envelope, in);
  check_headers(envelope, in);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check(read_input(std::string_view(reinterpret_cast<const char*>(data), size)));
  return 0;
}
