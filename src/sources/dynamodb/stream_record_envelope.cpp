#include "sources/dynamodb/stream_record_envelope.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "core/json_text.hpp"
#include "sources/dynamodb/attribute_values.hpp"

namespace shardpipe::dynamodb {
namespace {

// ,"keys":{...},"newImage":{...},"oldImage":{...}: those the record has.
Status append_plain_images(std::string& out, std::string_view record_text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element record;
  if (parser.parse(simdjson::padded_string(record_text)).get(record) != simdjson::SUCCESS) {
    return fail(Error::permanent("the record is not valid JSON"));
  }
  constexpr std::pair<const char*, const char*> images[] = {
      {"Keys", "keys"}, {"NewImage", "newImage"}, {"OldImage", "oldImage"}};
  for (auto [typed_name, plain_name] : images) {
    simdjson::dom::element image;
    if (record["dynamodb"][typed_name].get(image) != simdjson::SUCCESS) continue;
    out += fmt::format(R"(,"{}":)", plain_name);
    if (auto appended = append_plain_item(out, image); !appended) {
      return fail(Error::permanent(fmt::format("dynamodb.{} cannot be made plain JSON: {}",
                                               typed_name, appended.error().message)));
    }
  }
  return {};
}

}  // namespace

StreamRecordEnvelope::StreamRecordEnvelope(std::string stream_arn, config::DataEncoding encoding)
    : plain_images_(encoding == config::DataEncoding::json) {
  arn_member_ = R"(,"eventSourceARN":)";
  append_json_string(arn_member_, stream_arn);
}

Record StreamRecordEnvelope::render(const StreamRecord& in) const {
  Record out;
  out.sequence_number = in.sequence_number;
  out.partition_key = in.item_key;
  out.event_id = in.event_id;
  out.arrival_ms = in.created_ms;

  std::string_view text = in.text;
  std::string& json = out.envelope;
  json.reserve(text.size() * (plain_images_ ? 2 : 1) + arn_member_.size() + 64);
  json.append(text.substr(0, text.size() - 1));  // all but the closing brace
  // The service's records carry no eventSourceARN; one that does keeps its own.
  if (!in.names_source_arn) json.append(arn_member_);
  if (plain_images_) {
    if (auto appended = append_plain_images(json, text); !appended) {
      out.envelope.clear();
      out.decode_failed = true;
      out.decode_error = appended.error().message + " (data_encoding: json)";
      out.raw_data = std::string(text);
      return out;
    }
  }
  json.push_back('}');
  return out;
}

}  // namespace shardpipe::dynamodb
