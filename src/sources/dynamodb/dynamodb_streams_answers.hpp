// The DynamoDB Streams (and DescribeTable) answers the source reads, parsed from their bodies:
// apart from the calls (dynamodb_streams_api.*), so that a fuzzer can drive them without a
// network. Each fails on an answer that is not what the operation returns.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "sources/dynamodb/dynamodb_streams_api.hpp"

namespace shardpipe::dynamodb {

// One DescribeStream page: status, view type and shards into `stream` (shards appended); its
// LastEvaluatedShardId (empty on the last page).
// An answer that does not have the shape the operation promises (retriable), as the calls and
// the parsers both report it.
aws::AwsError malformed(std::string_view operation, std::string_view detail);
std::unexpected<aws::AwsError> fail_aws(aws::AwsError error);

aws::AwsResult<std::string> parse_describe_stream(std::string_view body, StreamInfo& stream);
aws::AwsResult<std::string> parse_shard_iterator(std::string_view body);
aws::AwsResult<RecordsPage> parse_get_records(std::string body);
// DescribeTable's LatestStreamArn; a table without an enabled stream is a fatal error.
aws::AwsResult<std::string> parse_latest_stream_arn(std::string_view body,
                                                    const std::string& table);

}  // namespace shardpipe::dynamodb
