// Where the values of a JSON document are in its text, so that a value can be passed on byte for
// byte (a record exactly as a service sent it) instead of re-serialised from a parse, which could
// reformat its numbers.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace shardpipe {

// The text of member `name` of the top-level object of `document`, or nullopt. `document` must
// already be known to be valid JSON (the scan does not validate it).
std::optional<std::string_view> top_level_member(std::string_view document, std::string_view name);

// The text of each element of the array held by member `name` of the top-level object of
// `document`; nullopt when there is no such member or it is not an array. `document` must
// already be known to be valid JSON (the scan does not validate it).
std::optional<std::vector<std::string_view>> array_member_elements(std::string_view document,
                                                                   std::string_view name);

}  // namespace shardpipe
