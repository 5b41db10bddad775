// Loads a pipe file (CONTRACT section 2) into PipeConfig, reporting every problem at once.
//
//   LoadResult result = load_pipe_file("orders.yaml");
//   for (const ConfigError& error : result.errors) std::cerr << format_error(error) << '\n';
//   if (!result.config) return 2;
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipe_config.hpp"

namespace shardpipe::config {

struct ConfigError {
  std::string file;  // as the caller named it
  int line = 1;      // 1-based
  int column = 1;    // 1-based
  std::string message;
};

// `config` is set exactly when `errors` is empty.
struct LoadResult {
  std::optional<PipeConfig> config;
  std::vector<ConfigError> errors;
};

LoadResult load_pipe_file(const std::filesystem::path& file);
// Loads YAML text as if it were the file `file_name_for_errors`: errors name it, and relative
// paths are resolved against its folder.
LoadResult load_pipe_text(std::string_view yaml, const std::filesystem::path& file_name_for_errors);

// "FILE:LINE:COL: error: MESSAGE"
std::string format_error(const ConfigError& error);

}  // namespace shardpipe::config
