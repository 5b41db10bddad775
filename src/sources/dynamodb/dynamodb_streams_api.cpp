#include "sources/dynamodb/dynamodb_streams_api.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"
#include "sources/dynamodb/dynamodb_streams_answers.hpp"

namespace shardpipe::dynamodb {
using nlohmann::json;

StreamsApi::StreamsApi(aws::JsonClient client, std::string stream_arn)
    : client_(std::move(client)), stream_arn_(std::move(stream_arn)) {}

aws::AwsResult<StreamInfo> StreamsApi::describe_stream() {
  StreamInfo stream;
  std::string start;
  do {
    json request{{"StreamArn", stream_arn_}, {"Limit", 100}};
    if (!start.empty()) request["ExclusiveStartShardId"] = start;
    auto answer = client_.call("DescribeStream", request.dump());
    if (!answer) return fail_aws(answer.error());
    auto next = parse_describe_stream(*answer, stream);
    if (!next) return fail_aws(next.error());
    // A page that names the shard it started after again would loop forever.
    if (!next->empty() && *next == start) {
      return fail_aws(malformed("DescribeStream", "LastEvaluatedShardId did not move"));
    }
    start = std::move(*next);
  } while (!start.empty());
  return stream;
}

aws::AwsResult<std::string> StreamsApi::shard_iterator(const std::string& shard_id,
                                                       const StartPosition& position) {
  json request{{"StreamArn", stream_arn_},
               {"ShardId", shard_id},
               {"ShardIteratorType", iterator_type_name(position.kind)}};
  if (position.kind == StartKind::at_sequence_number ||
      position.kind == StartKind::after_sequence_number) {
    request["SequenceNumber"] = position.sequence_number;
  }
  auto answer = client_.call("GetShardIterator", request.dump());
  if (!answer) return fail_aws(answer.error());
  return parse_shard_iterator(*answer);
}

aws::AwsResult<RecordsPage> StreamsApi::get_records(const std::string& iterator, int limit) {
  std::string request = R"({"ShardIterator":)";
  append_json_string(request, iterator);
  request += fmt::format(R"(,"Limit":{}}})", limit);
  auto answer = client_.call("GetRecords", request);
  if (!answer) return fail_aws(answer.error());
  return parse_get_records(std::move(*answer));
}

aws::AwsResult<std::string> latest_stream_arn(aws::JsonClient& dynamodb, const std::string& table) {
  auto answer = dynamodb.call("DescribeTable", json{{"TableName", table}}.dump());
  if (!answer) return fail_aws(answer.error());
  return parse_latest_stream_arn(*answer, table);
}

}  // namespace shardpipe::dynamodb
