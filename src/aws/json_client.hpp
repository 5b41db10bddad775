// AWS's JSON 1.0 and 1.1 protocols (Kinesis, DynamoDB, DynamoDB Streams): one POST per operation to
// the service endpoint with X-Amz-Target, signed with SigV4, over one keep-alive connection.
//
// Retries inside `call`, with exponential backoff and jitter: throttling
// (ProvisionedThroughputExceededException, LimitExceededException, ThrottlingException,
// RequestLimitExceeded), 5xx answers and network failures, up to `max_attempts`. Everything
// else is returned at once, with AWS's error code, for the caller to decide.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials.hpp"
#include "core/result.hpp"

namespace shardpipe::aws {

struct ServiceEndpoint {
  std::string url;                   // "https://kinesis.us-east-1.amazonaws.com" or an override
  std::string region;                // signing region
  std::string service;               // signing name: "kinesis", "dynamodb", "streams.dynamodb"
  std::string target_prefix;         // "Kinesis_20131202", "DynamoDB_20120810",
                                     // "DynamoDBStreams_20120810"
  std::string json_version = "1.1";  // Content-Type application/x-amz-json-<version>: Kinesis
                                     // speaks 1.1, DynamoDB and DynamoDB Streams 1.0
};

// The default endpoint of a service in a region, e.g. ("kinesis", "eu-west-1") →
// "https://kinesis.eu-west-1.amazonaws.com"; `override_url` wins when not empty.
std::string endpoint_url(std::string_view host_prefix, std::string_view region,
                         std::string_view override_url);

struct RetryOptions {
  int max_attempts = 8;  // including the first
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{5000};
  std::chrono::milliseconds request_timeout{30000};
};

struct AwsError {
  std::string code;  // AWS's error type without its namespace, e.g. "ExpiredIteratorException";
                     // empty for a network failure
  Error error;       // retriable / permanent / fatal, with a message naming operation and code
};

template <typename T>
using AwsResult = std::expected<T, AwsError>;

class JsonClient {
 public:
  JsonClient(ServiceEndpoint endpoint, Credentials credentials, RetryOptions retry = {});
  ~JsonClient();
  JsonClient(JsonClient&&) noexcept;
  JsonClient& operator=(JsonClient&&) noexcept;

  // Sends `operation` (e.g. "GetRecords") with `json_body` and returns the answer's body on a
  // 200. One client is used by one thread at a time.
  AwsResult<std::string> call(std::string_view operation, std::string_view json_body);

  const ServiceEndpoint& endpoint() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace shardpipe::aws
