// The embedded local log as a Source: shard lineage from log.json, records as Kinesis-style
// envelopes with `"eventSource":"shardpipe:local"`.
#pragma once

#include <filesystem>
#include <memory>

#include "config/pipe_config.hpp"
#include "sources/source.hpp"

namespace shardpipe {

std::unique_ptr<Source> make_local_source(const std::filesystem::path& log_dir,
                                          config::DataEncoding encoding);

}  // namespace shardpipe
