#include "sources/stream_envelope.hpp"

#include <charconv>

#include "core/json_text.hpp"
#include "sources/encoded_data.hpp"

namespace shardpipe {
namespace {

void append_key(std::string& json, std::string_view key) {
  if (is_valid_utf8(key)) {
    append_json_string(json, key);
  } else {
    append_json_string(json, base64_encode(key));
  }
}

// Seconds with six decimals, as Kinesis writes approximateArrivalTimestamp.
void append_timestamp(std::string& json, int64_t unix_us) {
  char digits[32];
  auto end = std::to_chars(digits, digits + sizeof digits, unix_us / 1000000).ptr;
  *end++ = '.';
  auto micros = static_cast<int>(unix_us % 1000000);
  for (int divisor = 100000; divisor > 0; divisor /= 10)
    *end++ = static_cast<char>('0' + micros / divisor % 10);
  json.append(digits, end);
}

}  // namespace

StreamEnvelopeWriter::StreamEnvelopeWriter(std::string_view event_source, std::string shard_id,
                                           std::string_view source_arn, std::string_view region,
                                           config::DataEncoding encoding)
    : shard_id_(std::move(shard_id)), encoding_(encoding) {
  // The parts of every envelope around the eventID, rendered once.
  head_ = R"({"eventSource":)";
  append_json_string(head_, event_source);
  head_ += R"(,"eventID":)";
  middle_ = R"(,"eventName":"aws:kinesis:record","eventVersion":"1.0","eventSourceARN":)";
  append_json_string(middle_, source_arn);
  middle_ += R"(,"awsRegion":)";
  append_json_string(middle_, region);
  middle_ += R"(,"partitionKey":)";
}

Record StreamEnvelopeWriter::render(StreamRecordView in) const {
  Record out;
  out.sequence_number = std::move(in.sequence_number);
  out.partition_key = std::string(in.partition_key);
  out.event_id.reserve(shard_id_.size() + 1 + out.sequence_number.size() +
                       in.event_id_suffix.size());
  out.event_id.append(shard_id_).append(1, ':').append(out.sequence_number);
  out.event_id.append(in.event_id_suffix);
  out.arrival_ms = in.arrival_us / 1000;
  std::string& json = out.envelope;
  json.reserve(head_.size() + middle_.size() + 96 + in.data.size() * 4 / 3 +
               in.partition_key.size() + 2 * out.event_id.size());
  json.append(head_);
  json.push_back('"');
  json.append(out.event_id);  // shard ids, digits and colons need no escaping
  json.push_back('"');
  json.append(middle_);
  append_key(json, in.partition_key);
  json.append(R"(,"sequenceNumber":")");
  json.append(out.sequence_number);  // digits need no escaping
  json.push_back('"');
  if (in.sub_sequence_number) {
    json.append(R"(,"subSequenceNumber":)");
    char digits[24];
    json.append(digits, std::to_chars(digits, digits + sizeof digits, *in.sub_sequence_number).ptr);
  }
  json.append(R"(,"approximateArrivalTimestamp":)");
  append_timestamp(json, in.arrival_us);
  json.append(R"(,"data":)");
  if (!append_encoded_data(json, in.data, encoding_, out.decode_error)) {
    out.decode_failed = true;
    out.raw_data = std::string(in.data);
    json.clear();
    return out;
  }
  json.push_back('}');
  return out;
}

}  // namespace shardpipe
