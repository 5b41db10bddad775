// One text per JSON object however its members were ordered: the key column of mirror mode.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::postgres_target {

// `json_object` without whitespace, with the members of every object sorted by name (bytewise,
// stable for duplicate names). Strings are re-escaped the standard way; numbers, true, false and
// null are kept as written. A text that is not a JSON object is a permanent error.
Result<std::string> canonical_json(std::string_view json_object);

}  // namespace shardpipe::postgres_target
