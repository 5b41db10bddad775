// Sequence numbers (and Kafka offsets) travel as decimal strings; these read them.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace shardpipe {

// True for a non-empty string of decimal digits (Kinesis sequence numbers exceed 64 bits).
inline bool is_sequence_number(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A record's checkpoint value: a sequence number, or "SEQ:N" for a record de-aggregated from
// sub-record N of the (KPL-aggregated) record SEQ, when it is not the aggregate's last.
inline bool is_sequence_checkpoint(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return is_sequence_number(text);
  return is_sequence_number(text.substr(0, colon)) && is_sequence_number(text.substr(colon + 1));
}

// "SEQ:N" → {"SEQ", "N"}; a plain sequence number → {it, ""}.
inline std::pair<std::string_view, std::string_view> split_sub_sequence(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return {text, {}};
  return {text.substr(0, colon), text.substr(colon + 1)};
}

// The value of a decimal sequence number that fits 64 bits (the local log's), else nullopt.
inline std::optional<uint64_t> parse_sequence_u64(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace shardpipe
