// AWS credentials and region, found where the AWS CLI and SDKs look for them.
//
// Credentials: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) in the
// environment; else the profile (the `profile` argument, else AWS_PROFILE, else "default") in
// the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials) and then in
// the config file (AWS_CONFIG_FILE, else ~/.aws/config, section "[profile NAME]", "[default]").
// Region: the configured value, else AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`.
//
// Secrets never appear in an error message or a log line.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: none
};

// Reads an environment variable; std::getenv by default, replaceable in tests.
using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvironmentLookup process_environment();

// A fatal error naming where it looked (never a secret) when nothing is found or a file is
// malformed.
Result<Credentials> load_credentials(std::string_view profile = {},
                                     const EnvironmentLookup& environment = process_environment());

// `configured` wins when not empty; a fatal error when no region is found anywhere.
Result<std::string> resolve_region(std::string_view configured, std::string_view profile = {},
                                   const EnvironmentLookup& environment = process_environment());

}  // namespace shardpipe::aws
