#include "sources/kinesis/kinesis_answers.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "aws/shard_id.hpp"
#include "core/json_text.hpp"

namespace shardpipe::kinesis {
namespace {

using nlohmann::json;

aws::AwsError malformed(std::string_view operation, std::string_view detail) {
  return {"",
          Error::retriable(fmt::format("Kinesis {}: unexpected answer: {}", operation, detail))};
}

std::unexpected<aws::AwsError> fail_aws(aws::AwsError error) {
  return std::unexpected<aws::AwsError>(std::move(error));
}

// Member `name` of `value` when `value` is an object that has it, else null. json::value() throws
// on a value that is not an object, or on a member of another type than its default's.
const json& member(const json& value, const char* name) {
  static const json none;
  if (!value.is_object()) return none;
  auto found = value.find(name);
  return found == value.end() ? none : *found;
}

std::string string_member(const json& value, const char* name) {
  const json& found = member(value, name);
  return found.is_string() ? found.get<std::string>() : std::string();
}

// Kinesis's sequence numbers are decimal digits; envelopes and checkpoints ("SEQ:N") rely on it.
bool is_sequence_number(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

aws::AwsResult<std::string> parse_list_shards(std::string_view body,
                                              std::vector<ShardInfo>& shards) {
  json page = json::parse(body, nullptr, false);
  if (page.is_discarded() || !page.contains("Shards") || !page["Shards"].is_array()) {
    return fail_aws(malformed("ListShards", "no Shards array"));
  }
  for (const auto& shard : page["Shards"]) {
    ShardInfo info;
    info.shard_id = string_member(shard, "ShardId");
    if (info.shard_id.empty()) return fail_aws(malformed("ListShards", "a shard without ShardId"));
    if (!aws::is_shard_id(info.shard_id)) {
      return fail_aws(malformed("ListShards", "a ShardId that is not [a-zA-Z0-9_.-]+"));
    }
    for (const char* parent : {"ParentShardId", "AdjacentParentShardId"}) {
      if (shard.contains(parent) && shard[parent].is_string()) {
        info.parent_shard_ids.push_back(shard[parent].get<std::string>());
      }
    }
    info.open = !member(member(shard, "SequenceNumberRange"), "EndingSequenceNumber").is_string();
    shards.push_back(std::move(info));
  }
  return page.contains("NextToken") && page["NextToken"].is_string()
             ? page["NextToken"].get<std::string>()
             : std::string();
}

aws::AwsResult<std::string> parse_stream_arn(std::string_view body) {
  json summary = json::parse(body, nullptr, false);
  if (summary.is_discarded()) return fail_aws(malformed("DescribeStreamSummary", "not JSON"));
  auto arn = string_member(member(summary, "StreamDescriptionSummary"), "StreamARN");
  if (arn.empty()) return fail_aws(malformed("DescribeStreamSummary", "no StreamARN"));
  return arn;
}

aws::AwsResult<std::string> parse_shard_iterator(std::string_view body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("ShardIterator") ||
      !parsed["ShardIterator"].is_string()) {
    return fail_aws(malformed("GetShardIterator", "no ShardIterator"));
  }
  return parsed["ShardIterator"].get<std::string>();
}

aws::AwsResult<RecordsPage> parse_get_records(std::string_view body) {
  // The hot path: simdjson, and base64 decoded straight into each record.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element page;
  if (parser.parse(simdjson::padded_string(body)).get(page) != simdjson::SUCCESS) {
    return fail_aws(malformed("GetRecords", "not JSON"));
  }
  RecordsPage out;
  simdjson::dom::array records;
  if (page["Records"].get(records) != simdjson::SUCCESS) {
    return fail_aws(malformed("GetRecords", "no Records array"));
  }
  out.records.reserve(records.size());
  for (simdjson::dom::element record : records) {
    KinesisRecord parsed;
    std::string_view sequence, key, data;
    double arrival = 0;
    if (record["SequenceNumber"].get(sequence) || record["PartitionKey"].get(key) ||
        record["Data"].get(data)) {
      return fail_aws(
          malformed("GetRecords", "a record without SequenceNumber, PartitionKey or Data"));
    }
    simdjson::dom::element timestamp;
    if (record["ApproximateArrivalTimestamp"].get(timestamp) == simdjson::SUCCESS) {
      if (timestamp.is_double()) {
        arrival = timestamp.get_double().value_unsafe();
      } else if (timestamp.is_int64()) {
        arrival = static_cast<double>(timestamp.get_int64().value_unsafe());
      } else if (timestamp.is_uint64()) {
        arrival = static_cast<double>(timestamp.get_uint64().value_unsafe());
      }
    }
    if (!is_sequence_number(sequence)) {
      return fail_aws(malformed("GetRecords", "a SequenceNumber that is not decimal digits"));
    }
    parsed.sequence_number = std::string(sequence);
    parsed.partition_key = std::string(key);
    if (!base64_decode(data, parsed.data)) {
      return fail_aws(
          malformed("GetRecords", fmt::format("record {} has Data that is not base64", sequence)));
    }
    // Before 1970, or beyond what microseconds in 64 bits hold: not a time the envelope can
    // write, so unknown (0), as when the answer has none.
    if (!(arrival >= 0 && arrival < 9e12)) arrival = 0;
    parsed.arrival_us = std::llround(arrival * 1e6);
    out.records.push_back(std::move(parsed));
  }
  std::string_view next;
  if (page["NextShardIterator"].get(next) == simdjson::SUCCESS)
    out.next_iterator = std::string(next);
  int64_t behind = 0;
  if (page["MillisBehindLatest"].get(behind) == simdjson::SUCCESS) out.millis_behind = behind;
  return out;
}

}  // namespace shardpipe::kinesis
