// Walks the YAML document through the property tables: every key is looked up, checked against the
// component's type, parsed and stored; unknown, misplaced, duplicate and missing keys are reported.
#pragma once

#include <yaml-cpp/yaml.h>

#include "config/diagnostics.hpp"
#include "config/pipe_config.hpp"
#include "config/seen_keys.hpp"

namespace shardpipe::config {

// `root` is the document's top-level mapping; config.base_dir is already set.
void read_pipe(const YAML::Node& root, PipeConfig& config, SeenKeys& seen,
               Diagnostics& diagnostics);

}  // namespace shardpipe::config
