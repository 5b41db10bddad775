#include "sources/dynamodb/dynamodb_streams_answers.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <expected>
#include <nlohmann/json.hpp>
#include <vector>

#include "aws/shard_id.hpp"
#include "core/json_spans.hpp"

namespace shardpipe::dynamodb {
aws::AwsError malformed(std::string_view operation, std::string_view detail) {
  return {"", Error::retriable(
                  fmt::format("DynamoDB Streams {}: unexpected answer: {}", operation, detail))};
}

std::unexpected<aws::AwsError> fail_aws(aws::AwsError error) {
  return std::unexpected<aws::AwsError>(std::move(error));
}

namespace {

using nlohmann::json;

std::string string_member(const json& object, const char* name) {
  return object.contains(name) && object[name].is_string() ? object[name].get<std::string>()
                                                           : std::string();
}

// "pk=S:key-1 sk=N:5": key attributes sorted by name (the service's order varies).
std::expected<std::string, std::string> item_key(simdjson::dom::element keys) {
  simdjson::dom::object attributes;
  if (keys.get_object().get(attributes) != simdjson::SUCCESS) return std::unexpected("no Keys");
  std::vector<std::string> parts;
  for (auto [name, typed] : attributes) {
    simdjson::dom::object holder;
    if (typed.get_object().get(holder) != simdjson::SUCCESS || holder.size() != 1) {
      return std::unexpected(fmt::format("key attribute {} is not a typed value", name));
    }
    auto [type, value] = *holder.begin();
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      return std::unexpected(
          fmt::format("key attribute {} is not a string, number or binary", name));
    }
    parts.push_back(fmt::format("{}={}:{}", name, type, text));
  }
  std::sort(parts.begin(), parts.end());
  return fmt::format("{}", fmt::join(parts, " "));
}

std::expected<StreamRecord, std::string> stream_record(simdjson::dom::element record,
                                                       std::string_view text) {
  StreamRecord out;
  out.text = text;
  std::string_view event_id, sequence;
  simdjson::dom::element change;
  if (record["eventID"].get(event_id) || record["dynamodb"].get(change) ||
      change["SequenceNumber"].get(sequence)) {
    return std::unexpected("a record without eventID or dynamodb.SequenceNumber");
  }
  out.event_id = std::string(event_id);
  simdjson::dom::element source_arn;
  out.names_source_arn = record["eventSourceARN"].get(source_arn) == simdjson::SUCCESS;
  out.sequence_number = std::string(sequence);
  double created = 0;
  if (simdjson::dom::element time;
      change["ApproximateCreationDateTime"].get(time) == simdjson::SUCCESS) {
    if (time.is_double()) {
      created = time.get_double().value_unsafe();
    } else if (time.is_int64()) {
      created = static_cast<double>(time.get_int64().value_unsafe());
    }
  }
  // Beyond what milliseconds in 64 bits hold (a cast would be undefined): unknown, as if absent.
  out.created_ms = std::abs(created) < 9e15 ? static_cast<int64_t>(created * 1000.0) : 0;
  simdjson::dom::element keys;
  if (change["Keys"].get(keys) != simdjson::SUCCESS) {
    return std::unexpected(fmt::format("record {} has no Keys", sequence));
  }
  auto key = item_key(keys);
  if (!key) return std::unexpected(fmt::format("record {}: {}", sequence, key.error()));
  out.item_key = std::move(*key);
  return out;
}

}  // namespace

aws::AwsResult<std::string> parse_describe_stream(std::string_view body, StreamInfo& stream) {
  json page = json::parse(body, nullptr, false);
  if (page.is_discarded() || !page.contains("StreamDescription") ||
      !page["StreamDescription"].is_object()) {
    return fail_aws(malformed("DescribeStream", "no StreamDescription"));
  }
  const json& description = page["StreamDescription"];
  stream.status = string_member(description, "StreamStatus");
  stream.view_type = string_member(description, "StreamViewType");
  if (description.contains("Shards") && description["Shards"].is_array()) {
    for (const auto& shard : description["Shards"]) {
      ShardInfo info;
      info.shard_id = string_member(shard, "ShardId");
      if (info.shard_id.empty()) {
        return fail_aws(malformed("DescribeStream", "a shard without ShardId"));
      }
      if (!aws::is_shard_id(info.shard_id)) {
        return fail_aws(malformed("DescribeStream", "a ShardId that is not [a-zA-Z0-9_.-]+"));
      }
      info.parent_shard_id = string_member(shard, "ParentShardId");
      info.open =
          string_member(shard.value("SequenceNumberRange", json::object()), "EndingSequenceNumber")
              .empty();
      stream.shards.push_back(std::move(info));
    }
  }
  return string_member(description, "LastEvaluatedShardId");
}

aws::AwsResult<std::string> parse_shard_iterator(std::string_view body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("ShardIterator") ||
      !parsed["ShardIterator"].is_string()) {
    return fail_aws(malformed("GetShardIterator", "no ShardIterator"));
  }
  return parsed["ShardIterator"].get<std::string>();
}

aws::AwsResult<RecordsPage> parse_get_records(std::string body) {
  RecordsPage page;
  page.body = std::move(body);
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(simdjson::padded_string(page.body)).get(root) != simdjson::SUCCESS) {
    return fail_aws(malformed("GetRecords", "not JSON"));
  }
  simdjson::dom::array records;
  if (root["Records"].get(records) != simdjson::SUCCESS) {
    return fail_aws(malformed("GetRecords", "no Records array"));
  }
  // Valid JSON by now: the records' own text is cut out of it.
  auto texts = array_member_elements(page.body, "Records");
  if (!texts || texts->size() != records.size()) {
    return fail_aws(malformed("GetRecords", "Records could not be delimited"));
  }
  // Each record's fields are read from the very text it keeps: the scan and the parser could
  // disagree on which member is "Records" (the name twice, once with an escape in it).
  thread_local simdjson::dom::parser record_parser;
  page.records.reserve(texts->size());
  for (std::string_view text : *texts) {
    simdjson::dom::element record;
    if (record_parser.parse(text.data(), text.size()).get(record) != simdjson::SUCCESS) {
      return fail_aws(malformed("GetRecords", "Records could not be delimited"));
    }
    auto parsed = stream_record(record, text);
    if (!parsed) return fail_aws(malformed("GetRecords", parsed.error()));
    page.records.push_back(std::move(*parsed));
  }
  std::string_view next;
  if (root["NextShardIterator"].get(next) == simdjson::SUCCESS) {
    page.next_iterator = std::string(next);
  }
  return page;
}

aws::AwsResult<std::string> parse_latest_stream_arn(std::string_view body,
                                                    const std::string& table) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("Table") || !parsed["Table"].is_object()) {
    return fail_aws({"", Error::retriable("DynamoDB DescribeTable: unexpected answer: no Table")});
  }
  const json& described = parsed["Table"];
  std::string arn = string_member(described, "LatestStreamArn");
  // json::value() would throw on a specification that is not an object, or a flag not a bool.
  const json& specification =
      described.contains("StreamSpecification") ? described["StreamSpecification"] : json::object();
  bool enabled = specification.contains("StreamEnabled") &&
                 specification["StreamEnabled"].is_boolean() &&
                 specification["StreamEnabled"].get<bool>();
  if (arn.empty() || !enabled) {
    return fail_aws({"", Error::fatal(fmt::format(
                             "DynamoDB table {} has no stream enabled: turn on DynamoDB Streams "
                             "for it (StreamSpecification), or name the stream's ARN in "
                             "source.stream",
                             table))});
  }
  return arn;
}

}  // namespace shardpipe::dynamodb
