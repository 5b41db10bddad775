// librdkafka configuration for every Kafka client of a pipe (source, target, dead letters): the
// brokers, the user's `properties:` passed through, and the settings shardpipe's guarantees rest
// on, which a pipe file may not change.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config/kafka_safety.hpp"
#include "core/result.hpp"

struct rd_kafka_conf_s;
struct rd_kafka_s;

namespace shardpipe::kafka {

struct ConfDeleter {
  void operator()(rd_kafka_conf_s* conf) const;
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_s, ConfDeleter>;

// A setting shardpipe makes itself. `why` is the end of the error a pipe file gets when it sets
// the key to anything else: "... because <why>".
struct ProtectedSetting {
  std::string key;
  std::string value;
  std::string why;
};

struct ClientSettings {
  std::string what;  // for messages: "source.properties", "target.properties", ...
  std::vector<std::string> bootstrap_servers;
  std::map<std::string, std::string> properties;  // the pipe file's; ${ENV} references expanded
  std::vector<ProtectedSetting> protected_settings;
  // Defaults that `properties` may override.
  std::map<std::string, std::string> defaults;
};

// The settings of config/kafka_safety.hpp, for `protected_settings`.
std::vector<ProtectedSetting> protect(std::span<const config::KafkaSafetySetting> settings);

// A fatal error names the offending property: an unknown key, a bad value, or a protected key
// set to another value.
Result<ConfPtr> make_client_conf(const ClientSettings& settings);

// A consumer handle made from `settings` (it owns their configuration from then on), or a fatal
// error naming the offending property.
Result<rd_kafka_s*> new_consumer(const ClientSettings& settings);

// "host:port,host:port"
std::string join_servers(const std::vector<std::string>& servers);

}  // namespace shardpipe::kafka
