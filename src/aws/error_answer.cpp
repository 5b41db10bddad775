#include "aws/error_answer.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace shardpipe::aws {
namespace {

// Kinesis, DynamoDB and the generic AWS throttling answers (KMS throttles Kinesis reads of
// encrypted streams).
constexpr std::string_view throttling_codes[] = {
    "ProvisionedThroughputExceededException",
    "LimitExceededException",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottledException",
    "KMSThrottlingException",
};

// The credentials are wrong, expired or not allowed: no retry and no other record can succeed.
constexpr std::string_view authentication_codes[] = {
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "AccessDeniedException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
};

template <size_t N>
bool listed(const std::string_view (&codes)[N], std::string_view code) {
  return std::find(std::begin(codes), std::end(codes), code) != std::end(codes);
}

std::string bare_code(std::string code) {
  if (const size_t hash = code.rfind('#'); hash != std::string::npos) code.erase(0, hash + 1);
  if (const size_t colon = code.find(':'); colon != std::string::npos) code.erase(colon);
  return code;
}

std::string string_field(const nlohmann::json& object, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto it = object.find(name);
    if (it != object.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

}  // namespace

ErrorAnswer parse_error_answer(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return {};
  return {bare_code(string_field(json, {"__type", "code", "Code"})),
          string_field(json, {"message", "Message"})};
}

ErrorClass classify_error(int status, std::string_view code) {
  if (listed(throttling_codes, code) || status == 429 || status >= 500) {
    return ErrorClass::retriable;
  }
  if (listed(authentication_codes, code)) return ErrorClass::fatal;
  return ErrorClass::permanent;
}

}  // namespace shardpipe::aws
