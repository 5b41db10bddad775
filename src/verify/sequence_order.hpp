// Sequence numbers (and Kafka offsets) are decimal strings that may exceed 64 bits (Kinesis's
// have 56 digits), so they are ordered as numbers without converting them. A user record of a
// KPL aggregate is "SEQ:N"; the aggregate's own "SEQ" (a checkpoint after all of it) follows
// all of its "SEQ:N".
#pragma once

#include <compare>
#include <string_view>

#include "core/sequence_number.hpp"

namespace shardpipe::verify {

// Numeric order of two decimal strings; leading zeros do not count ("007" == "7").
inline std::strong_ordering compare_decimals(std::string_view a, std::string_view b) {
  auto strip = [](std::string_view text) {
    while (text.size() > 1 && text.front() == '0') text.remove_prefix(1);
    return text;
  };
  a = strip(a);
  b = strip(b);
  if (a.size() != b.size()) return a.size() <=> b.size();
  return a.compare(b) <=> 0;
}

inline std::strong_ordering compare_sequences(std::string_view a, std::string_view b) {
  auto [a_sequence, a_sub] = split_sub_sequence(a);
  auto [b_sequence, b_sub] = split_sub_sequence(b);
  if (auto order = compare_decimals(a_sequence, b_sequence); order != 0) return order;
  if (a_sub.empty() && b_sub.empty()) return std::strong_ordering::equal;
  // The whole record comes after each of its sub-records.
  if (a_sub.empty()) return std::strong_ordering::greater;
  if (b_sub.empty()) return std::strong_ordering::less;
  return compare_decimals(a_sub, b_sub);
}

inline bool sequence_less(std::string_view a, std::string_view b) {
  return compare_sequences(a, b) == std::strong_ordering::less;
}

}  // namespace shardpipe::verify
