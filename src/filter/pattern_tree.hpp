// The compiled form of an event pattern: what the parser (pattern_parser.cpp) builds once and the
// matcher (pattern_matcher.cpp) walks for every record. Field names are kept split by level,
// exact strings hashed, numbers parsed, cidr blocks and wildcards pre-parsed.
#pragma once

#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "filter/cidr.hpp"
#include "filter/string_set.hpp"
#include "filter/wildcard.hpp"

namespace shardpipe::filter::detail {

// One leaf value of an event (a field's value, or one element of an array value).
struct Scalar {
  enum class Type { string, number, boolean_true, boolean_false, null };
  Type type = Type::null;
  std::string_view text;  // the string's characters, for strings
  double number = 0;      // for numbers
};

// `numeric`: one comparison, or a lower and an upper bound. "=" is a range of one value.
struct NumericRange {
  double low = -std::numeric_limits<double>::infinity();
  bool low_inclusive = false;
  double high = std::numeric_limits<double>::infinity();
  bool high_inclusive = false;

  bool contains(double value) const {
    bool above = low_inclusive ? value >= low : value > low;
    bool below = high_inclusive ? value <= high : value < high;
    return above && below;
  }
};

// The string operators: prefix, suffix, equals-ignore-case (also inside prefix and suffix) and
// wildcard. `operand` is ASCII-lowered for the *_ignore_case kinds.
struct StringCondition {
  enum class Kind {
    prefix,
    suffix,
    equals_ignore_case,
    prefix_ignore_case,
    suffix_ignore_case,
    wildcard
  };
  Kind kind = Kind::prefix;
  std::string operand;
  WildcardPattern wildcard;  // for Kind::wildcard

  bool matches(std::string_view value) const;
};

// `anything-but`: either a list of excluded values (strings or numbers), or string conditions of
// which none may match (prefix, suffix, equals-ignore-case, wildcard). A value form matches every
// present value that is not excluded, whatever its type; a string form matches strings only.
struct AnythingBut {
  bool string_form = false;
  StringSet excluded_strings;
  std::vector<double> excluded_numbers;
  std::vector<StringCondition> excluded_conditions;

  bool matches(const Scalar& value) const;
};

// The list of values of one field: it matches when any of them does (OR).
struct LeafMatcher {
  StringSet exact_strings;
  std::vector<double> exact_numbers;
  bool match_true = false;
  bool match_false = false;
  bool match_null = false;
  bool exists_true = false;   // { "exists": true }: some leaf value is present
  bool exists_false = false;  // { "exists": false }: no leaf value is present
  std::vector<StringCondition> string_conditions;
  std::vector<NumericRange> numeric_ranges;
  std::vector<CidrBlock> cidr_blocks;
  std::vector<AnythingBut> anything_buts;

  // Whether one present leaf value matches one of the listed values (exists aside).
  bool matches(const Scalar& value) const;
};

struct FieldPattern;

// An object of the pattern: every field must match (AND), and one alternative of `$or` if any.
struct ObjectPattern {
  std::vector<FieldPattern> fields;
  std::vector<ObjectPattern> any_of;  // the alternatives of "$or"; empty when there is none
  // The fields are DynamoDB attribute names whose event values are typed ({"S": "x"}); see
  // pattern_matcher.cpp for how they are read.
  bool attribute_map = false;
};

struct FieldPattern {
  std::string key;
  std::unique_ptr<LeafMatcher> leaf;      // a list of values; or
  std::unique_ptr<ObjectPattern> object;  // a nested object
  // A top-level data, key or value field matched with a nested object: when the event holds a
  // string there (base64 or JSON text), it is decoded as JSON first, as EventBridge Pipes does.
  bool decode_encoded_body = false;
  // In an attribute map: the pattern spells the DynamoDB types itself ({"S": [...]}), so the
  // event's typed value is matched as it is instead of unmarshalled.
  bool typed_attribute = false;
};

}  // namespace shardpipe::filter::detail
