// The AWS shared config and credentials files: INI text as the AWS CLI reads it.
//
// Whole-line comments start with '#' or ';'; sections are "[default]", "[NAME]" (credentials
// file) or "[profile NAME]" (config file); keys are "name = value". A line indented below a key
// continues it, as in a nested block ("s3 =\n  max_concurrent_requests = 20"): such lines are
// accepted and left out, since no key read here is nested.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::aws {

// Lower-case key -> value, trimmed. A value is kept whole: the files have no trailing comments.
using SharedSection = std::map<std::string, std::string>;
// Section name, its inner blanks collapsed ("profile  dev" -> "profile dev") -> keys. A section
// that appears twice has the keys of both, the later ones winning.
using SharedFile = std::map<std::string, SharedSection>;

// A line that is none of the above is an error naming its number, never its text: it may hold a
// secret.
Result<SharedFile> parse_shared_file(std::string_view text);

}  // namespace shardpipe::aws
