// Byte equality for the short strings of records and patterns (keys, statuses, prefixes): a
// plain loop beats a call to memcmp below a few dozen bytes.
#pragma once

#include <cstring>
#include <string_view>

namespace shardpipe::filter::detail {

inline bool same_bytes(const char* a, const char* b, size_t size) {
  if (size > 32) return std::memcmp(a, b, size) == 0;
  for (size_t i = 0; i < size; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

inline bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && same_bytes(a.data(), b.data(), a.size());
}

inline bool has_prefix(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && same_bytes(text.data(), prefix.data(), prefix.size());
}

inline bool has_suffix(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         same_bytes(text.data() + text.size() - suffix.size(), suffix.data(), suffix.size());
}

}  // namespace shardpipe::filter::detail
