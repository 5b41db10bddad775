// The librdkafka settings of every producer shardpipe makes (the kafka target, the kafka
// dead-letter destination): what its delivery guarantees rest on, which a pipe file may not
// change, and defaults that a pipe file's `properties:` may override.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kafka/client_config.hpp"

namespace shardpipe::kafka_target {

// `what` names the pipe file's section in messages: "target.properties", ...
kafka::ClientSettings producer_settings(std::string what, std::vector<std::string> servers,
                                        std::map<std::string, std::string> properties);

}  // namespace shardpipe::kafka_target
