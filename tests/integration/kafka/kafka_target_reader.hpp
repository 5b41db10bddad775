// Reading back what the kafka target and the kafka dead letters produced, with kcat as the
// independent client: messages with their keys, values and headers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace shardpipe::testing {

struct ProducedMessage {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// Every message of `topic` as of now, partition by partition in offset order. Header values must
// not hold ',', '=' or a newline (kcat prints headers as name=value,name=value).
std::vector<ProducedMessage> read_topic(const std::string& bootstraps, const std::string& topic);

}  // namespace shardpipe::testing
