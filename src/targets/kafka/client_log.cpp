#include "targets/kafka/client_log.hpp"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <string_view>

namespace shardpipe::kafka_target {
namespace {

// syslog levels, as librdkafka reports them.
spdlog::level::level_enum level_of(int syslog_level) {
  if (syslog_level <= 3) return spdlog::level::err;
  if (syslog_level == 4) return spdlog::level::warn;
  if (syslog_level <= 6) return spdlog::level::info;
  return spdlog::level::debug;
}

void on_log(const rd_kafka_t* client, int level, const char* facility, const char* text) {
  // The error callback below reports the same failures, with their codes.
  if (std::string_view(facility) == "FAIL") return;
  spdlog::log(level_of(level), "kafka {}: {}: {}", rd_kafka_name(client), facility, text);
}

// Errors a client recovers from by itself (a broker down, all of them down): worth knowing, but
// deliveries report what matters.
void on_error(rd_kafka_t* client, int error, const char* reason, void* /*opaque*/) {
  const auto code = static_cast<rd_kafka_resp_err_t>(error);
  const bool fatal = code == RD_KAFKA_RESP_ERR__FATAL;
  spdlog::log(fatal ? spdlog::level::err : spdlog::level::warn, "kafka {}: {}: {}",
              rd_kafka_name(client), rd_kafka_err2name(code), reason);
}

}  // namespace

void route_client_log(rd_kafka_conf_s* conf) {
  rd_kafka_conf_set_log_cb(conf, on_log);
  rd_kafka_conf_set_error_cb(conf, on_error);
}

}  // namespace shardpipe::kafka_target
