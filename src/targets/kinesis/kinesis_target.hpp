// The kinesis target: each batch's records put to a Kinesis stream with PutRecords, one Kinesis
// record per delivered record (see docs/kinesis-target.md).
#pragma once

#include <memory>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "targets/target.hpp"

namespace shardpipe {

// Resolves the stream, region and credentials once, here: a stream reference that is not valid,
// no region or no credentials are fatal configuration errors. The stream itself is first
// reached with the first batch.
Result<std::unique_ptr<Target>> make_kinesis_target(const config::TargetConfig& config);

}  // namespace shardpipe
