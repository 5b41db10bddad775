// The headers of a POST built from a `headers` mapping of the pipe file, shared by the http
// target and the http enrichment so both expand and check them the same way.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "net/http_client.hpp"

namespace shardpipe {

// Content-Type (application/json unless configured) followed by the configured headers, with
// `${NAME}` references expanded. `key` names the mapping in messages ("target.headers") and
// `sender` the component that sets the reserved headers itself ("the http target"). An unset
// variable, a reserved header or a header that cannot be sent is a fatal configuration error
// naming the header, never its value: it may be a token.
Result<std::vector<net::Header>> request_headers(
    const std::map<std::string, std::string>& configured, std::string_view key,
    std::string_view sender);

}  // namespace shardpipe
