// ASCII case folding, for names that are case-insensitive by definition (HTTP header names,
// keys of AWS config files, equals-ignore-case patterns). Only ASCII letters are folded.
#pragma once

#include <string>
#include <string_view>

namespace shardpipe {

inline char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ascii_lowered(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) c = ascii_lower(c);
  return lowered;
}

}  // namespace shardpipe
