// Writes a parsed JSON value back as compact JSON, straight into the output buffer (no string per
// value, unlike simdjson::to_string).
#pragma once

#include <simdjson.h>

#include <string>

namespace shardpipe::transform::detail {

void append_json(std::string& out, simdjson::dom::element value);

}  // namespace shardpipe::transform::detail
