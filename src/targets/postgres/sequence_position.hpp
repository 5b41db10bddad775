// A record's place in its key's history, for mirror mode: the sequence number (a decimal string of
// up to ~60 digits) and, for a record de-aggregated from a KPL aggregate, its sub-sequence.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::postgres_target {

struct SequencePosition {
  // Decimal digits without leading zeros ("0" for zero): stored as numeric, compared by value.
  std::string sequence;
  // "SEQ:N" is sub-record N of the aggregate SEQ; a plain "SEQ" (an ordinary record, or an
  // aggregate's last sub-record) comes after every "SEQ:N".
  int64_t sub_sequence = std::numeric_limits<int64_t>::max();

  std::strong_ordering operator<=>(const SequencePosition& other) const;
  bool operator==(const SequencePosition& other) const = default;
};

// Reads "SEQ" or "SEQ:N" (both decimal); anything else is a permanent error.
Result<SequencePosition> parse_sequence_position(std::string_view text);

}  // namespace shardpipe::postgres_target
