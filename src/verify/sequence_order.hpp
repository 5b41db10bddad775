// Sequence numbers (and Kafka offsets) are decimal strings that may exceed 64 bits (Kinesis's
// have 56 digits), so they are ordered as numbers without converting them.
#pragma once

#include <compare>
#include <string_view>

namespace shardpipe::verify {

// Numeric order of two decimal strings; leading zeros do not count ("007" == "7").
inline std::strong_ordering compare_sequences(std::string_view a, std::string_view b) {
  auto strip = [](std::string_view text) {
    while (text.size() > 1 && text.front() == '0') text.remove_prefix(1);
    return text;
  };
  a = strip(a);
  b = strip(b);
  if (a.size() != b.size()) return a.size() <=> b.size();
  return a.compare(b) <=> 0;
}

inline bool sequence_less(std::string_view a, std::string_view b) {
  return compare_sequences(a, b) == std::strong_ordering::less;
}

}  // namespace shardpipe::verify
