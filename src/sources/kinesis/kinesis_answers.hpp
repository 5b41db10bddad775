// The Kinesis answers the source reads, parsed from their bodies: apart from the calls
// (kinesis_api.*), so that a fuzzer can drive them without a network. Each fails, retriably, on
// an answer that is not what the operation returns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sources/kinesis/kinesis_api.hpp"

namespace shardpipe::kinesis {

// One ListShards page: its shards appended to `shards`; its NextToken (empty on the last page).
aws::AwsResult<std::string> parse_list_shards(std::string_view body,
                                              std::vector<ShardInfo>& shards);
aws::AwsResult<std::string> parse_stream_arn(std::string_view body);  // DescribeStreamSummary
aws::AwsResult<std::string> parse_shard_iterator(std::string_view body);
aws::AwsResult<RecordsPage> parse_get_records(std::string_view body);

}  // namespace shardpipe::kinesis
