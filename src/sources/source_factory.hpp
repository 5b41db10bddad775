// Builds the Source a pipe file names.
#pragma once

#include <memory>

#include "config/pipe_config.hpp"
#include "sources/source.hpp"

namespace shardpipe {

Result<std::unique_ptr<Source>> make_source(const config::SourceConfig& config);

// Where the pipe's checkpoints are, for commands that read or set them from outside a running
// pipe: the checkpoint store, or for Kafka the consumer group's committed offsets.
Result<std::unique_ptr<coordination::CheckpointStore>> open_pipe_checkpoints(
    const config::PipeConfig& pipe);

}  // namespace shardpipe
