#include "observe/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "observe/json_log_formatter.hpp"

namespace shardpipe {

namespace {

void use_text_format(spdlog::logger& logger) {
  logger.set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
}

}  // namespace

void configure_logging(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("shardpipe");
  use_text_format(*logger);
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
}

bool set_log_format(std::string_view format) {
  auto logger = spdlog::default_logger();
  if (format == "text") {
    use_text_format(*logger);
    return true;
  }
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonLogFormatter>());
    return true;
  }
  return false;
}

void set_log_level(std::string_view level) {
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
}

}  // namespace shardpipe
