// The start of a peer's answer, fit for an error message: one line of valid UTF-8, so it can go
// into a log line or a dead-letter entry whatever the peer sent.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace shardpipe::net {

// At most `limit` bytes of `body` (then "..."), with line breaks and other control characters
// turned into spaces and runs of spaces collapsed. When the excerpt is not valid UTF-8, bytes
// outside ASCII become '?'.
std::string body_excerpt(std::string_view body, size_t limit = 200);

}  // namespace shardpipe::net
