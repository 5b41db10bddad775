#include "targets/dead_letter/dead_letters.hpp"

#include <fmt/format.h>

#include <chrono>

#include "core/json_text.hpp"
#include "core/units.hpp"
#include "targets/dead_letter/file_dead_letters.hpp"
#include "targets/dead_letter/http_dead_letters.hpp"
#include "targets/dead_letter/kafka_dead_letters.hpp"

namespace shardpipe {

std::string render_dead_letter(const DeadLetter& letter, const std::string& pipe, int64_t unix_ms) {
  const Record& record = *letter.record;
  std::string json = R"({"version":"1","timestamp":)";
  append_json_string(json, format_rfc3339_ms(unix_ms));
  json += R"(,"pipe":)";
  append_json_string(json, pipe);
  json += R"(,"condition":)";
  append_json_string(json, letter.condition);
  json += R"(,"error":{"message":)";
  append_json_string(json, letter.message);
  json += R"(,"statusCode":)";
  json += letter.status_code ? std::to_string(*letter.status_code) : "null";
  json += fmt::format(R"(}},"attempts":{},"eventID":)", letter.attempts);
  append_json_string(json, record.event_id);
  json += R"(,"source":{"type":)";
  append_json_string(json, letter.source_type);
  if (auto dash = letter.shard_id.rfind('-');
      letter.source_type == "kafka" && dash != std::string::npos) {
    // Kafka's own coordinates first; shardId and sequenceNumber stay for tools that read any
    // source's entries alike (dlq replay, status).
    json += R"(,"topic":)";
    append_json_string(json, std::string_view(letter.shard_id).substr(0, dash));
    json += R"(,"partition":)";
    json += letter.shard_id.substr(dash + 1);
    json += R"(,"offset":)";
    json += record.sequence_number;
  }
  json += R"(,"shardId":)";
  append_json_string(json, letter.shard_id);
  json += R"(,"sequenceNumber":)";
  append_json_string(json, record.sequence_number);
  json += R"(},"record":)";
  if (!record.envelope.empty()) {
    json += record.envelope;
  } else {
    // The data could not become an envelope: keep its bytes, exactly, in base64.
    json += R"({"partitionKey":)";
    append_json_string(json, is_valid_utf8(record.partition_key)
                                 ? record.partition_key
                                 : base64_encode(record.partition_key));
    json += R"(,"rawData":")";
    append_base64(json, record.raw_data);
    json += "\"}";
  }
  json += '}';
  return json;
}

Result<std::unique_ptr<DeadLetterDestination>> make_dead_letter_destination(
    const config::DeadLetterConfig& config, const std::string& pipe) {
  if (config.type == "file") return make_file_dead_letters(config.path, pipe);
  if (config.type == "http") return make_http_dead_letters(config.url, pipe);
  if (config.type == "kafka") return make_kafka_dead_letters(config, pipe);
  return fail(Error::fatal(fmt::format(
      "dead_letter type '{}' is not available in this build yet (available: file, http, kafka)",
      config.type)));
}

}  // namespace shardpipe
