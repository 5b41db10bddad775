// Sends the target's S3 requests (s3_requests.hpp) over one keep-alive connection: each attempt
// signed afresh with SigV4 (the payload's SHA-256 in x-amz-content-sha256), retriable failures
// (s3_error.hpp, network failures) retried a few times with backoff, anything else returned at
// once. A client is used by one thread at a time: each shard's sink has its own.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials.hpp"
#include "core/result.hpp"
#include "net/http_client.hpp"
#include "targets/s3/bucket_address.hpp"

namespace shardpipe::s3 {

struct ClientRetry {
  int max_attempts = 3;  // including the first; longer waits are the engine's
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{1000};
};

class S3Client {
 public:
  S3Client(BucketAddress address, std::string region, aws::Credentials credentials,
           ClientRetry retry = {});

  // Sends `request` until it gets a 2xx answer, which it returns. Errors read
  // "S3 <operation> s3://bucket/key: <Code>: <Message> (HTTP <status>)".
  Result<net::Response> send(std::string_view operation, std::string_view key,
                             net::Request request);

  const BucketAddress& address() const { return address_; }

 private:
  BucketAddress address_;
  std::string region_;
  aws::Credentials credentials_;
  ClientRetry retry_;
  net::HttpClient http_;
};

}  // namespace shardpipe::s3
