#include "targets/s3/s3_error.hpp"

#include <algorithm>
#include <array>

#include "targets/s3/xml_text.hpp"

namespace shardpipe::s3 {
namespace {

constexpr std::array<std::string_view, 12> retriable_codes = {
    "SlowDown",
    "RequestTimeout",
    "InternalError",
    "ServiceUnavailable",
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequests",
    "RequestTimeTooSkewed",
    "OperationAborted",
    "NoSuchUpload",
    "RequestThrottled",
};

std::string code_for_status(int status) {
  switch (status) {
    case 301:
      return "PermanentRedirect";
    case 400:
      return "BadRequest";
    case 403:
      return "AccessDenied";
    case 404:
      return "NoSuchBucket";
    case 503:
      return "SlowDown";
    default:
      return "HTTP " + std::to_string(status);
  }
}

}  // namespace

bool is_error_document(std::string_view body) {
  // "<Error>" as the root element, after an optional XML declaration.
  const size_t start = body.find('<', body.starts_with("<?xml") ? body.find("?>") : 0);
  return start != std::string_view::npos && body.substr(start).starts_with("<Error>");
}

S3ErrorAnswer parse_s3_error(int status, std::string_view body) {
  S3ErrorAnswer answer;
  if (is_error_document(body)) {
    answer.code = xml_element_text(body, "Code").value_or("");
    answer.message = xml_element_text(body, "Message").value_or("");
  }
  if (answer.code.empty()) answer.code = code_for_status(status);
  return answer;
}

ErrorClass classify_s3_error(int status, std::string_view code) {
  if (status >= 500 || status == 429 || status == 408) return ErrorClass::retriable;
  if (std::find(retriable_codes.begin(), retriable_codes.end(), code) != retriable_codes.end()) {
    return ErrorClass::retriable;
  }
  return ErrorClass::fatal;
}

}  // namespace shardpipe::s3
