#include "targets/target.hpp"

#include <fmt/format.h>

#include "targets/file/file_target.hpp"
#include "targets/stdout/stdout_target.hpp"

namespace shardpipe {

Result<std::unique_ptr<Target>> make_target(const config::TargetConfig& config) {
  if (config.type == "stdout") return make_stdout_target();
  if (config.type == "file") return make_file_target(config.path, config.records_per_file);
  return fail(Error::fatal(
      fmt::format("target type '{}' is not available in this build yet (available: stdout, file)",
                  config.type)));
}

}  // namespace shardpipe
