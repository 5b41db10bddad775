#include "targets/target.hpp"

#include <fmt/format.h>

#include "targets/command/command_target.hpp"
#include "targets/file/file_target.hpp"
#include "targets/http/http_target.hpp"
#include "targets/kafka/kafka_target.hpp"
#include "targets/kinesis/kinesis_target.hpp"
#include "targets/postgres/postgres_target.hpp"
#include "targets/s3/s3_target.hpp"
#include "targets/stdout/stdout_target.hpp"

namespace shardpipe {

Result<std::unique_ptr<Target>> make_target(const config::TargetConfig& config) {
  if (config.type == "stdout") return make_stdout_target();
  if (config.type == "file") return make_file_target(config.path, config.records_per_file);
  if (config.type == "http") return make_http_target(config);
  if (config.type == "command") return make_command_target(config);
  if (config.type == "kafka") return make_kafka_target(config);
  if (config.type == "kinesis") return make_kinesis_target(config);
  if (config.type == "postgres") return make_postgres_target(config);
  if (config.type == "s3") return make_s3_target(config);
  return fail(
      Error::fatal(fmt::format("target type '{}' is not available in this build yet (available: "
                               "stdout, file, http, command, kafka, kinesis, postgres, s3)",
                               config.type)));
}

}  // namespace shardpipe
