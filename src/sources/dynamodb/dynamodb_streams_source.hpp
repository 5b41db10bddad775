// Amazon DynamoDB Streams as a Source (docs/dynamodb-streams.md): shards and their lineage from
// DescribeStream, one GetRecords loop per shard reader about four times a second, empty pages of
// an open shard read past, expired iterators re-acquired after the last record read, records
// trimmed before they were read reported as a gap (DataLost), and the end of a closed shard.
#pragma once

#include <memory>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "sources/source.hpp"

namespace shardpipe {

// `source.stream` is a stream ARN or a table name (its LatestStreamArn is looked up). Resolves
// the region, the endpoint, the credentials and the stream now, so that a pipe without them
// fails at its start with a clear error.
Result<std::unique_ptr<Source>> make_dynamodb_streams_source(const config::SourceConfig& config);

}  // namespace shardpipe
