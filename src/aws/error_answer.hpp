// An AWS JSON-protocol error answer: what it says, and what the caller should do about it.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::aws {

struct ErrorAnswer {
  std::string code;     // "ExpiredIteratorException"; empty when the body names none
  std::string message;  // AWS's "message" (or "Message"); empty when there is none
};

// Reads {"__type": "com.amazonaws.kinesis.v20131202#ExpiredIteratorException", "message": ...}:
// the namespace before '#' and anything after ':' are dropped from the code. A body that is not
// such JSON (a proxy's HTML page) gives an empty code and message.
ErrorAnswer parse_error_answer(std::string_view body);

// Throttling codes, 429 and 5xx: retriable. Codes saying the credentials are wrong, expired or
// not allowed: fatal. Any other answer: permanent, for the caller to handle by its code.
ErrorClass classify_error(int status, std::string_view code);

}  // namespace shardpipe::aws
