// Rules that involve more than one key, and defaults derived from other keys. Runs once after
// every key was read; each message says what to change.
#pragma once

#include "config/diagnostics.hpp"
#include "config/pipe_config.hpp"
#include "config/seen_keys.hpp"

namespace shardpipe::config {

void finalize(PipeConfig& config, const SeenKeys& seen, Diagnostics& diagnostics);

}  // namespace shardpipe::config
