// Builds the Source a pipe file names.
#pragma once

#include <memory>

#include "config/pipe_config.hpp"
#include "sources/source.hpp"

namespace shardpipe {

Result<std::unique_ptr<Source>> make_source(const config::SourceConfig& config);

}  // namespace shardpipe
