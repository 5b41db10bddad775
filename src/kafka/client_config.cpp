#include "kafka/client_config.hpp"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include "net/environment.hpp"

namespace shardpipe::kafka {

void ConfDeleter::operator()(rd_kafka_conf_s* conf) const {
  rd_kafka_conf_destroy(conf);
}

std::vector<ProtectedSetting> protect(std::span<const config::KafkaSafetySetting> settings) {
  std::vector<ProtectedSetting> out;
  for (const auto& setting : settings) {
    out.push_back({std::string(setting.key), std::string(setting.value), std::string(setting.why)});
  }
  return out;
}

std::string join_servers(const std::vector<std::string>& servers) {
  std::string joined;
  for (const auto& server : servers) {
    if (!joined.empty()) joined += ',';
    joined += server;
  }
  return joined;
}

namespace {

Status set(rd_kafka_conf_t* conf, const std::string& what, const std::string& key,
           const std::string& value) {
  char error[512] = {};
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof error) !=
      RD_KAFKA_CONF_OK) {
    return fail(Error::fatal(fmt::format("{}: {}: {}", what, key, error)));
  }
  return {};
}

}  // namespace

Result<ConfPtr> make_client_conf(const ClientSettings& settings) {
  ConfPtr conf(rd_kafka_conf_new());
  for (const auto& [key, value] : settings.defaults) {
    if (auto done = set(conf.get(), settings.what, key, value); !done) return fail(done.error());
  }
  for (const auto& [key, value] : settings.properties) {
    for (const auto& kept : settings.protected_settings) {
      if (key == kept.key && value != kept.value) {
        return fail(Error::fatal(fmt::format("{}: {} must stay {} because {}", settings.what, key,
                                             kept.value, kept.why)));
      }
    }
    if (key == "bootstrap.servers" || key == "metadata.broker.list") {
      return fail(Error::fatal(fmt::format("{}: {}: set the brokers with bootstrap_servers instead",
                                           settings.what, key)));
    }
    // Secrets stay out of pipe files: ${NAME} takes the value from the environment.
    auto expanded = net::expand_environment(value);
    if (!expanded) {
      return fail(
          Error::fatal(fmt::format("{}: {}: {}", settings.what, key, expanded.error().message)));
    }
    if (auto done = set(conf.get(), settings.what, key, *expanded); !done) {
      return fail(done.error());
    }
  }
  for (const auto& kept : settings.protected_settings) {
    if (auto done = set(conf.get(), settings.what, kept.key, kept.value); !done) {
      return fail(done.error());
    }
  }
  if (auto done = set(conf.get(), settings.what, "bootstrap.servers",
                      join_servers(settings.bootstrap_servers));
      !done) {
    return fail(done.error());
  }
  return conf;
}

Result<rd_kafka_s*> new_consumer(const ClientSettings& settings) {
  auto conf = make_client_conf(settings);
  if (!conf) return fail(conf.error());
  char error[512] = {};
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), error, sizeof error);
  if (!handle) return fail(Error::fatal(fmt::format("kafka client: {}", error)));
  (void)conf->release();  // the handle owns it now
  return handle;
}

}  // namespace shardpipe::kafka
