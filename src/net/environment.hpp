// References to environment variables in configuration values, so secrets such as tokens stay
// out of the pipe file.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::net {

// Replaces every `${NAME}` in `text` with the value of the environment variable NAME (NAME is
// letters, digits and underscores, not starting with a digit). A `$` not followed by `{` stays as
// it is. An unset variable, an unterminated `${` or an invalid name is an error that names the
// variable, never a value.
Result<std::string> expand_environment(std::string_view text);

}  // namespace shardpipe::net
