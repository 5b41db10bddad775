#include "targets/postgres/sequence_position.hpp"

#include <fmt/format.h>

#include <charconv>

#include "core/sequence_number.hpp"

namespace shardpipe::postgres_target {

std::strong_ordering SequencePosition::operator<=>(const SequencePosition& other) const {
  // Without leading zeros, a longer number is a larger one.
  if (auto by_length = sequence.size() <=> other.sequence.size(); by_length != 0) return by_length;
  if (auto by_digits = sequence.compare(other.sequence); by_digits != 0) {
    return by_digits < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
  }
  return sub_sequence <=> other.sub_sequence;
}

Result<SequencePosition> parse_sequence_position(std::string_view text) {
  if (!is_sequence_checkpoint(text)) {
    return fail(Error::permanent(fmt::format(
        "sequence number '{}' is not a decimal number (or SEQ:N); mirror mode orders changes by it",
        text)));
  }
  auto [sequence, sub] = split_sub_sequence(text);
  SequencePosition position;
  auto first_digit = sequence.find_first_not_of('0');
  position.sequence =
      first_digit == std::string_view::npos ? "0" : std::string(sequence.substr(first_digit));
  if (!sub.empty()) {
    auto [end, ec] = std::from_chars(sub.data(), sub.data() + sub.size(), position.sub_sequence);
    // The maximum is reserved for "after every sub-record".
    if (ec != std::errc() || end != sub.data() + sub.size() ||
        position.sub_sequence == std::numeric_limits<int64_t>::max()) {
      return fail(Error::permanent(fmt::format("sub-sequence number in '{}' is too large", text)));
    }
  }
  return position;
}

}  // namespace shardpipe::postgres_target
