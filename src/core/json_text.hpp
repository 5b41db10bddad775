// Writing JSON text on the hot path without building a document tree per record.
#pragma once

#include <string>
#include <string_view>

namespace shardpipe {

// Appends `text` as a quoted JSON string (RFC 8259 escapes). `text` must be valid UTF-8.
void append_json_string(std::string& out, std::string_view text);

// True when `bytes` are valid UTF-8 (SIMD-accelerated).
bool is_valid_utf8(std::string_view bytes);

// True when `bytes` are one complete, valid JSON value in valid UTF-8.
bool is_valid_json(std::string_view bytes);

// Appends the standard (RFC 4648, padded) base64 form of `bytes`.
void append_base64(std::string& out, std::string_view bytes);
std::string base64_encode(std::string_view bytes);
// nullopt-like: returns false when `text` is not valid base64.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace shardpipe
