// Amazon Resource Names (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE), for settings that take a
// resource's name or its ARN, such as a Kinesis stream.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace shardpipe::aws {

struct Arn {
  std::string partition;  // "aws", "aws-cn", ...
  std::string service;    // "kinesis"
  std::string region;     // may be empty for global resources
  std::string account;
  std::string resource;  // everything after the fifth colon, e.g. "stream/orders"
};

// nullopt when `text` does not start with "arn:" or has fewer than six colon-separated parts.
std::optional<Arn> parse_arn(std::string_view text);

}  // namespace shardpipe::aws
