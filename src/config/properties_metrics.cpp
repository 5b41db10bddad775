// The `metrics` section: the Prometheus endpoint.
#include <charconv>

#include "config/properties.hpp"
#include "config/property_store.hpp"

namespace shardpipe::config {
namespace {

std::string check_listen(const Value& value) {
  const auto& listen = std::get<std::string>(value);
  if (listen.empty() || listen == "off") return {};
  size_t colon = listen.rfind(':');
  if (colon != std::string::npos && colon > 0) {
    std::string_view port_text = std::string_view(listen).substr(colon + 1);
    unsigned port = 0;
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (!port_text.empty() && error == std::errc{} && end == port_text.data() + port_text.size() &&
        port <= 65535) {
      return {};
    }
  }
  return "listen must be HOST:PORT, e.g. 127.0.0.1:9464, or off, got '" + listen + "'";
}

}  // namespace

std::span<const Property> metrics_properties() {
  static const std::vector<Property> table = {
      {.key = "listen",
       .type = ValueType::string,
       .default_text = "127.0.0.1:9464",
       .description = "The address serving Prometheus text at /metrics, /healthz and /status. "
                      "Port 0 picks a free port (logged at start); off (or an empty string) "
                      "serves nothing. An IPv6 host goes in brackets: [::1]:9464.",
       .example = "0.0.0.0:9464",
       .store = member(&MetricsConfig::listen),
       .check = check_listen,
       .rule = "`HOST:PORT` or `off`"},
      {.key = "bearer_token",
       .type = ValueType::string,
       .default_text = "none: no token required",
       .description = "When set, /metrics, /healthz and /status answer 401 unless the request "
                      "carries `Authorization: Bearer <token>`. ${NAME} takes the token from the "
                      "environment variable NAME; the token is never logged.",
       .example = "\"${SHARDPIPE_METRICS_TOKEN}\"",
       .store = member(&MetricsConfig::bearer_token)},
  };
  return table;
}

}  // namespace shardpipe::config
