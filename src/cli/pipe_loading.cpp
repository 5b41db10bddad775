#include "cli/pipe_loading.hpp"

#include <fmt/format.h>

#include "config/loader.hpp"

namespace shardpipe::cli {

std::optional<config::PipeConfig> load_pipe(const std::string& pipe_file) {
  auto loaded = config::load_pipe_file(pipe_file);
  for (const auto& error : loaded.errors) fmt::print(stderr, "{}\n", config::format_error(error));
  if (!loaded.errors.empty() || !loaded.config) return std::nullopt;
  return std::move(*loaded.config);
}

}  // namespace shardpipe::cli
