#include "sources/kinesis/kinesis_api.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <nlohmann/json.hpp>

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

}  // namespace

KinesisApi::KinesisApi(aws::JsonClient client, std::string stream_name)
    : client_(std::move(client)), stream_name_(std::move(stream_name)) {}

aws::AwsResult<std::vector<ShardInfo>> KinesisApi::list_shards() {
  std::vector<ShardInfo> shards;
  std::string token;
  do {
    // With a NextToken, the stream must not be named again.
    json request = token.empty() ? json{{"StreamName", stream_name_}, {"MaxResults", 1000}}
                                 : json{{"NextToken", token}, {"MaxResults", 1000}};
    auto answer = client_.call("ListShards", request.dump());
    if (!answer) return fail_aws(answer.error());
    json page = json::parse(*answer, nullptr, false);
    if (page.is_discarded() || !page.contains("Shards") || !page["Shards"].is_array()) {
      return fail_aws(malformed("ListShards", "no Shards array"));
    }
    for (const auto& shard : page["Shards"]) {
      ShardInfo info;
      info.shard_id = shard.value("ShardId", "");
      if (info.shard_id.empty())
        return fail_aws(malformed("ListShards", "a shard without ShardId"));
      for (const char* parent : {"ParentShardId", "AdjacentParentShardId"}) {
        if (shard.contains(parent) && shard[parent].is_string()) {
          info.parent_shard_ids.push_back(shard[parent].get<std::string>());
        }
      }
      const auto& range = shard.value("SequenceNumberRange", json::object());
      info.open =
          !(range.contains("EndingSequenceNumber") && range["EndingSequenceNumber"].is_string());
      shards.push_back(std::move(info));
    }
    token = page.contains("NextToken") && page["NextToken"].is_string()
                ? page["NextToken"].get<std::string>()
                : std::string();
  } while (!token.empty());
  return shards;
}

aws::AwsResult<std::string> KinesisApi::stream_arn() {
  auto answer = client_.call("DescribeStreamSummary", json{{"StreamName", stream_name_}}.dump());
  if (!answer) return fail_aws(answer.error());
  json summary = json::parse(*answer, nullptr, false);
  if (summary.is_discarded()) return fail_aws(malformed("DescribeStreamSummary", "not JSON"));
  auto arn = summary.value("StreamDescriptionSummary", json::object()).value("StreamARN", "");
  if (arn.empty()) return fail_aws(malformed("DescribeStreamSummary", "no StreamARN"));
  return arn;
}

aws::AwsResult<std::string> KinesisApi::shard_iterator(const std::string& shard_id,
                                                       const StartPosition& position) {
  json request{{"StreamName", stream_name_},
               {"ShardId", shard_id},
               {"ShardIteratorType", iterator_type_name(position.kind)}};
  if (position.kind == StartKind::at_sequence_number ||
      position.kind == StartKind::after_sequence_number) {
    request["StartingSequenceNumber"] = position.sequence_number;
  }
  if (position.kind == StartKind::at_timestamp) {
    request["Timestamp"] = static_cast<double>(position.timestamp_ms) / 1000.0;
  }
  auto answer = client_.call("GetShardIterator", request.dump());
  if (!answer) return fail_aws(answer.error());
  json parsed = json::parse(*answer, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("ShardIterator") ||
      !parsed["ShardIterator"].is_string()) {
    return fail_aws(malformed("GetShardIterator", "no ShardIterator"));
  }
  return parsed["ShardIterator"].get<std::string>();
}

aws::AwsResult<RecordsPage> KinesisApi::get_records(const std::string& iterator, int limit) {
  std::string request = R"({"ShardIterator":)";
  append_json_string(request, iterator);
  request += fmt::format(R"(,"Limit":{}}})", limit);
  auto answer = client_.call("GetRecords", request);
  if (!answer) return fail_aws(answer.error());

  // The hot path: simdjson, and base64 decoded straight into each record.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element page;
  if (parser.parse(simdjson::padded_string(*answer)).get(page) != simdjson::SUCCESS) {
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
    parsed.sequence_number = std::string(sequence);
    parsed.partition_key = std::string(key);
    if (!base64_decode(data, parsed.data)) {
      return fail_aws(
          malformed("GetRecords", fmt::format("record {} has Data that is not base64", sequence)));
    }
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
