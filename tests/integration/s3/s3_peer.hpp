// s3rver (an S3 server that keeps objects on disk) on loopback, and the AWS SDK for JavaScript as
// the independent reader of what the s3 target wrote (tests/peers/s3).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "listening_peer.hpp"
#include "process.hpp"

namespace shardpipe::testing {

// Starts s3rver on 127.0.0.1:`port` (0: a free one) keeping its data in `data_dir`, with
// `buckets` created, and waits until it listens. Its requests are logged to `log_file`, which must
// be a new file for each start (the port is read from it).
ListeningPeer start_s3rver(const std::filesystem::path& data_dir,
                           const std::vector<std::string>& buckets,
                           const std::filesystem::path& log_file, int port = 0);

// One object as the SDK read it back.
struct StoredObject {
  std::string key;
  std::string content_type;
  std::string body;  // as stored
};

// Every object of `bucket` under `prefix`, in key order.
std::vector<StoredObject> read_bucket(const std::string& endpoint, const std::string& bucket,
                                      const std::string& prefix = "");

// The JSON Lines an object holds: the body decoded by zlib (".gz") or libzstd (".zst") as its key
// says. Throws when it does not decode.
std::string object_text(const StoredObject& object);

// Runs s3_tool.js with `args` (after the endpoint); throws with its stderr when it fails.
std::string s3_tool(const std::string& endpoint, const std::vector<std::string>& args);

// The credentials s3rver knows (S3RVER, any secret) and a region, in this process's environment,
// which the pipes it starts inherit.
void use_s3rver_credentials();

}  // namespace shardpipe::testing
