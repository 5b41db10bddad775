// The `metrics` section: the Prometheus endpoint.
#include <charconv>

#include "config/properties.hpp"
#include "config/property_store.hpp"

namespace shardpipe::config {
namespace {

std::string check_listen(const Value& value) {
  const auto& listen = std::get<std::string>(value);
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
  return "listen must be HOST:PORT, e.g. 127.0.0.1:9464, got '" + listen + "'";
}

}  // namespace

std::span<const Property> metrics_properties() {
  static const std::vector<Property> table = {
      {.key = "listen",
       .type = ValueType::string,
       .default_text = "127.0.0.1:9464",
       .description = "The address serving Prometheus text at /metrics, /healthz and /status.",
       .example = "0.0.0.0:9464",
       .store = member(&MetricsConfig::listen),
       .check = check_listen,
       .rule = "HOST:PORT"},
  };
  return table;
}

}  // namespace shardpipe::config
