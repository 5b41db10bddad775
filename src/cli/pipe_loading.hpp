// Loading a pipe file for a command: every error printed to stderr as FILE:LINE:COL.
#pragma once

#include <optional>
#include <string>

#include "config/pipe_config.hpp"

namespace shardpipe::cli {

std::optional<config::PipeConfig> load_pipe(const std::string& pipe_file);

}  // namespace shardpipe::cli
