// Shard ids as Kinesis and DynamoDB Streams name them. They become folder names (the file
// target's <path>/<shardId>/) and parts of eventIDs written without escaping, so an answer that
// names a shard otherwise is refused where it is read.
#pragma once

#include <algorithm>
#include <string_view>

namespace shardpipe::aws {

// The services' pattern, [a-zA-Z0-9_.-]{1,128}, without "." and "..", which are folders already.
inline bool is_shard_id(std::string_view id) {
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  };
  return !id.empty() && id.size() <= 128 && id != "." && id != ".." &&
         std::all_of(id.begin(), id.end(), allowed);
}

}  // namespace shardpipe::aws
