// AWS Signature Version 4 (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html),
// with OpenSSL's SHA-256 and HMAC. The steps are exposed so that tests can check each one
// against AWS's published test vectors.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.hpp"
#include "net/http_client.hpp"

namespace shardpipe::aws {

struct SigningScope {
  std::string region;   // "us-east-1"
  std::string service;  // "kinesis", "dynamodb", "s3"
  std::chrono::system_clock::time_point time;
};

// AWS's UriEncode: every byte but A-Z a-z 0-9 - _ . ~ as %XX (upper-case hex); '/' kept when
// `keep_slash`. Paths, query parameters and S3 object keys are encoded so.
std::string uri_encode(std::string_view text, bool keep_slash);

// What is signed: the request line, the headers (all of them are signed) and the payload.
struct CanonicalInput {
  std::string method;  // "GET", "POST"
  std::string path;    // as sent, e.g. "/" or "/bucket/key%20name"; normalised unless S3
  std::string query;   // as sent, without '?': "b=2&a=1"; sorted and encoded when signing
  std::vector<net::Header> headers;  // must hold Host
  std::string payload_hash;          // lowercase hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
  bool normalize_path = true;        // false for S3, which signs the path as is
};

std::string sha256_hex(std::string_view data);
std::string canonical_request(const CanonicalInput& input);
// The lower-case names of `headers`, sorted, without repeats, joined by ';': "host;x-amz-date".
std::string signed_headers(const std::vector<net::Header>& headers);
std::string string_to_sign(std::string_view canonical_request, const SigningScope& scope);
std::string signature(std::string_view string_to_sign, std::string_view secret_access_key,
                      const SigningScope& scope);
// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request,
//  SignedHeaders=host;x-amz-date, Signature=..."
std::string authorization_header(const CanonicalInput& input, const Credentials& credentials,
                                 const SigningScope& scope);

// Signs an HTTP request in place: adds Host (from the URL) when missing, X-Amz-Date,
// X-Amz-Security-Token with a session token, x-amz-content-sha256 for S3, and Authorization.
void sign_request(net::Request& request, const Credentials& credentials, const SigningScope& scope);

}  // namespace shardpipe::aws
