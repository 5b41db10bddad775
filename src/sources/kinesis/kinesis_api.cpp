#include "sources/kinesis/kinesis_api.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"
#include "sources/kinesis/kinesis_answers.hpp"

namespace shardpipe::kinesis {
namespace {

using nlohmann::json;

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
    auto next = parse_list_shards(*answer, shards);
    if (!next) return fail_aws(next.error());
    token = std::move(*next);
  } while (!token.empty());
  return shards;
}

aws::AwsResult<std::string> KinesisApi::stream_arn() {
  auto answer = client_.call("DescribeStreamSummary", json{{"StreamName", stream_name_}}.dump());
  if (!answer) return fail_aws(answer.error());
  return parse_stream_arn(*answer);
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
  return parse_shard_iterator(*answer);
}

aws::AwsResult<RecordsPage> KinesisApi::get_records(const std::string& iterator, int limit) {
  std::string request = R"({"ShardIterator":)";
  append_json_string(request, iterator);
  request += fmt::format(R"(,"Limit":{}}})", limit);
  auto answer = client_.call("GetRecords", request);
  if (!answer) return fail_aws(answer.error());
  return parse_get_records(*answer);
}

}  // namespace shardpipe::kinesis
