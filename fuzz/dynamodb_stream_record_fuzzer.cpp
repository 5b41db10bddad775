// DynamoDB Streams answers (src/sources/dynamodb/): the input is a response body, read as the
// answer to DescribeStream, GetShardIterator, DescribeTable and GetRecords; the records of a
// GetRecords page are rendered as envelopes (stream_record_envelope.*) with and without plain
// images. The input is also read as an item of typed attribute values (attribute_values.*) and
// as DynamoDB's text of a number.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "aws/shard_id.hpp"
#include "core/json_text.hpp"
#include "sources/dynamodb/attribute_values.hpp"
#include "sources/dynamodb/dynamodb_streams_answers.hpp"
#include "sources/dynamodb/stream_record_envelope.hpp"

namespace {

namespace dynamodb = shardpipe::dynamodb;
using shardpipe::config::DataEncoding;

constexpr std::string_view kArn =
    "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-11-22T00:00:00.000";

// An answer that is not what was asked fails, with a message; only DescribeTable's "no stream
// enabled" is fatal, everything else is retriable.
template <typename T>
bool failed(const shardpipe::aws::AwsResult<T>& result, bool may_be_fatal = false) {
  if (result) return false;
  const auto& error = result.error().error;
  if (error.message.empty() ||
      !(error.is_retriable() || (may_be_fatal && error.kind == shardpipe::ErrorClass::fatal))) {
    std::abort();
  }
  return true;
}

void check_small_answers(std::string_view body) {
  dynamodb::StreamInfo stream;
  if (!failed(dynamodb::parse_describe_stream(body, stream))) {
    // Shard ids become folder names: only the service's pattern gets through.
    for (const auto& shard : stream.shards) {
      if (!shardpipe::aws::is_shard_id(shard.shard_id)) std::abort();
    }
  }
  auto iterator = dynamodb::parse_shard_iterator(body);
  (void)failed(iterator);
  auto arn = dynamodb::parse_latest_stream_arn(body, "orders");
  if (!failed(arn, /*may_be_fatal=*/true) && arn->empty()) std::abort();
}

std::string_view string_at(simdjson::dom::element element, const char* a, const char* b = nullptr) {
  std::string_view text;
  auto value = element[a];
  if (b) value = value[b];
  if (value.get(text) != simdjson::SUCCESS) std::abort();
  return text;
}

// The record's text is the very record its fields were read from, cut out of the page.
void check_record(const dynamodb::RecordsPage& page, const dynamodb::StreamRecord& record) {
  const std::string& body = page.body;
  if (record.text.data() < body.data() ||
      record.text.data() + record.text.size() > body.data() + body.size()) {
    std::abort();
  }
  simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  if (parser.parse(simdjson::padded_string(record.text)).get(parsed) != simdjson::SUCCESS) {
    std::abort();
  }
  if (string_at(parsed, "eventID") != record.event_id ||
      string_at(parsed, "dynamodb", "SequenceNumber") != record.sequence_number) {
    std::abort();
  }
}

// Every envelope is valid JSON: the record as sent, plus the stream's eventSourceARN unless the
// record names its own. Plain images may fail to decode (then the record goes to the dead
// letters whole); without them nothing can fail.
void check_envelopes(const dynamodb::StreamRecord& record) {
  static const dynamodb::StreamRecordEnvelope as_sent(std::string(kArn), DataEncoding::base64);
  static const dynamodb::StreamRecordEnvelope plain(std::string(kArn), DataEncoding::json);

  auto out = as_sent.render(record);
  if (out.decode_failed || !shardpipe::is_valid_json(out.envelope)) std::abort();
  if (!out.envelope.starts_with(record.text.substr(0, record.text.size() - 1))) std::abort();
  if (out.event_id != record.event_id || out.sequence_number != record.sequence_number ||
      out.partition_key != record.item_key) {
    std::abort();
  }
  if (!record.names_source_arn) {
    simdjson::dom::parser parser;
    simdjson::dom::element envelope;
    if (parser.parse(simdjson::padded_string(out.envelope)).get(envelope) != simdjson::SUCCESS ||
        string_at(envelope, "eventSourceARN") != kArn) {
      std::abort();
    }
  }

  auto with_images = plain.render(record);
  if (with_images.decode_failed) {
    if (!with_images.envelope.empty() || with_images.raw_data != record.text ||
        with_images.decode_error.empty()) {
      std::abort();
    }
  } else if (!shardpipe::is_valid_json(with_images.envelope)) {
    std::abort();
  }
}

void check_get_records(std::string_view body) {
  auto page = dynamodb::parse_get_records(std::string(body));
  if (failed(page)) return;
  for (const auto& record : page->records) {
    check_record(*page, record);
    check_envelopes(record);
  }
}

// Any JSON object as an item: plain JSON, or an error that says why.
void check_item(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element item;
  if (parser.parse(simdjson::padded_string(text)).get(item) != simdjson::SUCCESS) return;
  std::string out;
  auto appended = dynamodb::append_plain_item(out, item);
  if (!appended) {
    if (appended.error().message.empty()) std::abort();
    return;
  }
  if (!shardpipe::is_valid_json(out)) std::abort();
}

// A number written as it came must read back as a JSON number.
void check_number(std::string_view text) {
  if (dynamodb::is_portable_json_number(text) && !shardpipe::is_valid_json(text)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  check_small_answers(body);
  check_get_records(body);
  check_item(body);
  check_number(body);
  return 0;
}
