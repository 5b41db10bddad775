// How one leaf value of an event is compared with the values listed in a pattern.
#include "filter/ascii_case.hpp"
#include "filter/pattern_tree.hpp"
#include "filter/same_bytes.hpp"

namespace shardpipe::filter::detail {
namespace {

bool contains_number(const std::vector<double>& numbers, double value) {
  for (double number : numbers) {
    if (number == value) return true;
  }
  return false;
}

}  // namespace

bool StringCondition::matches(std::string_view value) const {
  switch (kind) {
    case Kind::prefix:
      return has_prefix(value, operand);
    case Kind::suffix:
      return has_suffix(value, operand);
    case Kind::equals_ignore_case:
      return equals_folded(value, operand);
    case Kind::prefix_ignore_case:
      return starts_with_folded(value, operand);
    case Kind::suffix_ignore_case:
      return ends_with_folded(value, operand);
    case Kind::wildcard:
      return wildcard.matches(value);
  }
  return false;
}

bool AnythingBut::matches(const Scalar& value) const {
  if (string_form) {
    if (value.type != Scalar::Type::string) return false;
    for (const StringCondition& condition : excluded_conditions) {
      if (condition.matches(value.text)) return false;
    }
    return true;
  }
  switch (value.type) {
    case Scalar::Type::string:
      return !excluded_strings.contains(value.text);
    case Scalar::Type::number:
      return !contains_number(excluded_numbers, value.number);
    default:
      return true;  // true, false and null are never in an anything-but list
  }
}

bool LeafMatcher::matches(const Scalar& value) const {
  switch (value.type) {
    case Scalar::Type::string:
      if (exact_strings.contains(value.text)) return true;
      for (const StringCondition& condition : string_conditions) {
        if (condition.matches(value.text)) return true;
      }
      for (const CidrBlock& block : cidr_blocks) {
        if (block.contains(value.text)) return true;
      }
      break;
    case Scalar::Type::number:
      if (contains_number(exact_numbers, value.number)) return true;
      for (const NumericRange& range : numeric_ranges) {
        if (range.contains(value.number)) return true;
      }
      break;
    case Scalar::Type::boolean_true:
      if (match_true) return true;
      break;
    case Scalar::Type::boolean_false:
      if (match_false) return true;
      break;
    case Scalar::Type::null:
      if (match_null) return true;
      break;
  }
  for (const AnythingBut& anything_but : anything_buts) {
    if (anything_but.matches(value)) return true;
  }
  return false;
}

}  // namespace shardpipe::filter::detail
