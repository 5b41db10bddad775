// Builds the compiled tree of a pattern from its parsed JSON (used by event_pattern.cpp).
#pragma once

#include <simdjson.h>

#include <expected>

#include "filter/event_pattern.hpp"
#include "filter/pattern_tree.hpp"

namespace shardpipe::filter {

// Checks every rule of the pattern language and reports the first mistake with its location.
// Also marks the parts that need special reading: encoded bodies (data, key, value) and
// DynamoDB images.
std::expected<detail::ObjectPattern, PatternError> build_pattern_tree(simdjson::dom::element root);

}  // namespace shardpipe::filter
