// Helpers shared by the config tests.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/loader.hpp"

namespace shardpipe::config::test_support {

inline std::filesystem::path fixture(std::string_view name) {
  return std::filesystem::path(SHARDPIPE_SOURCE_DIR) / "tests/unit/config/data" / name;
}

// Errors as the command line prints them.
inline std::vector<std::string> formatted(const LoadResult& result) {
  std::vector<std::string> lines;
  for (const ConfigError& error : result.errors) lines.push_back(format_error(error));
  return lines;
}

// Loads `yaml` as the file "pipe.yaml" (a short name keeps expected lines short) and returns its
// error lines.
inline std::vector<std::string> errors_of(std::string_view yaml) {
  return formatted(load_pipe_text(yaml, "pipe.yaml"));
}

// Where tests that check path resolution pretend the pipe file is.
inline const std::filesystem::path kPipeFile = "/srv/pipes/orders.yaml";

}  // namespace shardpipe::config::test_support
