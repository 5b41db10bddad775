// Case-insensitive comparison for equals-ignore-case and its prefix/suffix forms. Only ASCII
// letters are folded; every other byte (including the bytes of non-ASCII letters) must be equal.
#pragma once

#include <string_view>

#include "core/ascii_case.hpp"

namespace shardpipe::filter::detail {

using shardpipe::ascii_lower;
using shardpipe::ascii_lowered;

// `lowered` has already been through ascii_lowered (patterns are folded once, when compiled).
inline bool equals_folded(std::string_view value, std::string_view lowered) {
  if (value.size() != lowered.size()) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    if (ascii_lower(value[i]) != lowered[i]) return false;
  }
  return true;
}

inline bool starts_with_folded(std::string_view value, std::string_view lowered) {
  return value.size() >= lowered.size() && equals_folded(value.substr(0, lowered.size()), lowered);
}

inline bool ends_with_folded(std::string_view value, std::string_view lowered) {
  return value.size() >= lowered.size() &&
         equals_folded(value.substr(value.size() - lowered.size()), lowered);
}

}  // namespace shardpipe::filter::detail
