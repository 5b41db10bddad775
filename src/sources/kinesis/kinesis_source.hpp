// Amazon Kinesis Data Streams as a Source: shards and their lineage from ListShards, one
// GetRecords loop per shard reader within the per-shard limits, expired iterators re-acquired
// after the last record read, and the end of a closed shard recognised whether NextShardIterator
// is null (AWS) or absent (kinesalite).
#pragma once

#include <memory>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "sources/source.hpp"

namespace shardpipe {

// Resolves the region, the endpoint and the credentials now, so that a pipe without them fails
// at its start with a clear error.
Result<std::unique_ptr<Source>> make_kinesis_source(const config::SourceConfig& config);

}  // namespace shardpipe
