// Reads a pattern's JSON into the compiled tree (pattern_tree.hpp), checking every rule of the
// pattern language on the way; the first mistake is reported with where it is.
#include "filter/pattern_parser.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <optional>

#include "filter/ascii_case.hpp"
#include "filter/dom_access.hpp"

namespace shardpipe::filter {
namespace {

using detail::AnythingBut;
using detail::array_of;
using detail::bool_of;
using detail::FieldPattern;
using detail::LeafMatcher;
using detail::number_of;
using detail::NumericRange;
using detail::object_of;
using detail::ObjectPattern;
using detail::string_of;
using detail::StringCondition;
using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::array<std::string_view, 8> kMatchers = {
    "prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric",
    "exists", "cidr"};

// The DynamoDB attribute value types ({"S": "text"}, {"N": "12"}, ...).
constexpr std::array<std::string_view, 10> kDynamoDbTypes = {"S", "N", "B",  "BOOL", "NULL",
                                                             "M", "L", "SS", "NS",   "BS"};

// The compact JSON of a pattern part, shortened for messages.
std::string shown(element value) {
  std::string text = simdjson::to_string(value);
  if (text.size() <= 60) return text;
  size_t cut = 57;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return text.substr(0, cut) + "...";
}

bool is_number(element value) {
  element_type type = value.type();
  return type == element_type::INT64 || type == element_type::UINT64 ||
         type == element_type::DOUBLE;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      bool same = detail::ascii_lower(a[i - 1]) == detail::ascii_lower(b[j - 1]);
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "; did you mean 'prefix'?" for a near miss, or nothing.
std::string suggestion(std::string_view name) {
  for (std::string_view matcher : kMatchers) {
    if (edit_distance(name, matcher) <= 2) return "; did you mean '" + std::string(matcher) + "'?";
  }
  return {};
}

class PatternParser {
 public:
  std::expected<ObjectPattern, PatternError> parse(element root) {
    ObjectPattern pattern;
    if (root.type() != element_type::OBJECT) {
      fail("a pattern must be a JSON object such as {\"data\": {\"status\": [\"paid\"]}}, got " +
           shown(root));
    } else if (object_of(root).size() == 0) {
      fail(
          "the pattern is empty; name at least one field, such as {\"data\": {\"status\": "
          "[\"paid\"]}}");
    } else {
      parse_object(root, pattern);
    }
    if (error_) return std::unexpected(std::move(*error_));
    return pattern;
  }

 private:
  // How a step shows in PatternError::field.
  enum class StepKind { field, alternatives, alternative, value, matcher };
  struct Step {
    PatternStep step;
    StepKind kind;
  };

  // Pushes a step for the lifetime of a block.
  class Scope {
   public:
    Scope(PatternParser& parser, StepKind kind, std::string_view key, int index = -1)
        : parser_(parser) {
      parser_.steps_.push_back({{std::string(key), index}, kind});
    }
    ~Scope() { parser_.steps_.pop_back(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    PatternParser& parser_;
  };

  bool fail(std::string message, bool at_key = false) {
    if (error_) return false;
    PatternError error;
    error.at_key = at_key;
    error.message = std::move(message);
    for (const Step& step : steps_) {
      error.location.push_back(step.step);
      switch (step.kind) {
        case StepKind::field:
        case StepKind::alternatives:
          if (!error.field.empty()) error.field += '.';
          error.field += step.step.key;
          break;
        case StepKind::alternative:
          error.field += "[" + std::to_string(step.step.index) + "]";
          break;
        case StepKind::value:
        case StepKind::matcher:
          break;
      }
    }
    error_ = std::move(error);
    return false;
  }

  bool parse_object(element value, ObjectPattern& out) {
    simdjson::dom::object object = object_of(value);
    std::vector<std::string_view> seen;
    for (auto [key, field_value] : object) {
      if (std::ranges::find(seen, key) != seen.end()) {
        Scope scope(*this, StepKind::field, key);
        return fail("'" + std::string(key) + "' appears twice in the same object", true);
      }
      seen.push_back(key);
      if (key == "$or") {
        Scope scope(*this, StepKind::alternatives, key);
        if (!parse_alternatives(field_value, out)) return false;
        continue;
      }
      Scope scope(*this, StepKind::field, key);
      FieldPattern field;
      field.key = std::string(key);
      if (field_value.type() == element_type::OBJECT) {
        if (object_of(field_value).size() == 0) {
          return fail("an empty object matches nothing; name a field inside it or remove it");
        }
        field.object = std::make_unique<ObjectPattern>();
        if (!parse_object(field_value, *field.object)) return false;
      } else if (field_value.type() == element_type::ARRAY) {
        field.leaf = std::make_unique<LeafMatcher>();
        if (!parse_values(field_value, *field.leaf)) return false;
      } else {
        return fail("the values to match must be in a list, such as [" + shown(field_value) +
                    "]; got " + shown(field_value));
      }
      out.fields.push_back(std::move(field));
    }
    return true;
  }

  bool parse_alternatives(element value, ObjectPattern& out) {
    if (value.type() != element_type::ARRAY) {
      return fail(
          "$or needs a list of at least two patterns, such as [{\"a\": [1]}, {\"b\": "
          "[2]}]; got " +
          shown(value));
    }
    simdjson::dom::array alternatives = array_of(value);
    if (alternatives.size() < 2) {
      return fail("$or needs at least two patterns to choose from, got " +
                  std::to_string(alternatives.size()));
    }
    int index = 0;
    for (element alternative : alternatives) {
      Scope scope(*this, StepKind::alternative, "", index++);
      if (alternative.type() != element_type::OBJECT) {
        return fail("each alternative of $or must be a pattern object, got " + shown(alternative));
      }
      if (object_of(alternative).size() == 0) {
        return fail("an empty alternative matches nothing; name at least one field in it");
      }
      ObjectPattern pattern;
      if (!parse_object(alternative, pattern)) return false;
      out.any_of.push_back(std::move(pattern));
    }
    return true;
  }

  bool parse_values(element value, LeafMatcher& leaf) {
    simdjson::dom::array values = array_of(value);
    if (values.size() == 0) {
      return fail(
          "the list of values is empty; give at least one value to match, such as "
          "[\"paid\"]");
    }
    int index = 0;
    for (element item : values) {
      Scope scope(*this, StepKind::value, "", index++);
      switch (item.type()) {
        case element_type::STRING:
          leaf.exact_strings.insert(std::string(string_of(item)));
          break;
        case element_type::INT64:
        case element_type::UINT64:
        case element_type::DOUBLE:
          leaf.exact_numbers.push_back(number_of(item));
          break;
        case element_type::BOOL:
          (bool_of(item) ? leaf.match_true : leaf.match_false) = true;
          break;
        case element_type::NULL_VALUE:
          leaf.match_null = true;
          break;
        case element_type::ARRAY:
          return fail("a list of values cannot hold another list, got " + shown(item));
        case element_type::OBJECT:
          if (!parse_matcher(item, leaf)) return false;
          break;
      }
    }
    return true;
  }

  bool parse_matcher(element value, LeafMatcher& leaf) {
    simdjson::dom::object object = object_of(value);
    if (object.size() != 1) {
      return fail(
          "a matcher is an object with exactly one key, such as {\"prefix\": \"a\"} or "
          "{\"numeric\": [\">\", 0]}; got " +
          shown(value));
    }
    auto [name, operand] = *object.begin();
    Scope scope(*this, StepKind::matcher, name);
    if (name == "prefix" || name == "suffix") {
      return parse_affix(name, operand, leaf);
    }
    if (name == "equals-ignore-case") {
      if (operand.type() != element_type::STRING) {
        return fail("equals-ignore-case needs a string, got " + shown(operand));
      }
      leaf.string_conditions.push_back(
          string_condition(StringCondition::Kind::equals_ignore_case, operand));
      return true;
    }
    if (name == "wildcard") {
      std::optional<StringCondition> condition = wildcard_condition(operand);
      if (!condition) return false;
      leaf.string_conditions.push_back(std::move(*condition));
      return true;
    }
    if (name == "exists") {
      if (operand.type() != element_type::BOOL) {
        return fail("exists must be true or false, got " + shown(operand));
      }
      (bool_of(operand) ? leaf.exists_true : leaf.exists_false) = true;
      return true;
    }
    if (name == "numeric") return parse_numeric(operand, leaf);
    if (name == "cidr") {
      if (operand.type() != element_type::STRING) {
        return fail("cidr needs a string such as \"10.0.0.0/24\", got " + shown(operand));
      }
      auto block = detail::CidrBlock::parse(string_of(operand));
      if (!block) return fail(block.error() + "; got " + shown(operand));
      leaf.cidr_blocks.push_back(*block);
      return true;
    }
    if (name == "anything-but") return parse_anything_but(operand, leaf);
    std::string hint = suggestion(name);
    if (hint.empty()) {
      hint =
          "; the matchers are prefix, suffix, equals-ignore-case, wildcard, anything-but, "
          "numeric, exists and cidr";
    }
    return fail("unknown matcher '" + std::string(name) + "'" + hint, true);
  }

  static StringCondition string_condition(StringCondition::Kind kind, element operand) {
    StringCondition condition;
    condition.kind = kind;
    std::string_view text = string_of(operand);
    bool folded = kind == StringCondition::Kind::equals_ignore_case ||
                  kind == StringCondition::Kind::prefix_ignore_case ||
                  kind == StringCondition::Kind::suffix_ignore_case;
    condition.operand = folded ? detail::ascii_lowered(text) : std::string(text);
    return condition;
  }

  std::optional<StringCondition> wildcard_condition(element operand) {
    if (operand.type() != element_type::STRING) {
      fail("wildcard needs a string such as \"*.png\", got " + shown(operand));
      return std::nullopt;
    }
    auto pattern = detail::WildcardPattern::parse(string_of(operand));
    if (!pattern) {
      fail("wildcard " + shown(operand) + ": " + pattern.error());
      return std::nullopt;
    }
    StringCondition condition;
    condition.kind = StringCondition::Kind::wildcard;
    condition.wildcard = std::move(*pattern);
    return condition;
  }

  // prefix and suffix: a string, or {"equals-ignore-case": "..."} to ignore case.
  bool parse_affix(std::string_view name, element operand, LeafMatcher& leaf) {
    bool prefix = name == "prefix";
    if (operand.type() == element_type::STRING) {
      leaf.string_conditions.push_back(string_condition(
          prefix ? StringCondition::Kind::prefix : StringCondition::Kind::suffix, operand));
      return true;
    }
    if (operand.type() == element_type::OBJECT) {
      simdjson::dom::object object = object_of(operand);
      if (object.size() == 1) {
        auto [key, text] = *object.begin();
        if (key == "equals-ignore-case" && text.type() == element_type::STRING) {
          leaf.string_conditions.push_back(
              string_condition(prefix ? StringCondition::Kind::prefix_ignore_case
                                      : StringCondition::Kind::suffix_ignore_case,
                               text));
          return true;
        }
      }
    }
    return fail(std::string(name) +
                " needs a string, or {\"equals-ignore-case\": \"...\"} to "
                "ignore case; got " +
                shown(operand));
  }

  bool parse_numeric(element operand, LeafMatcher& leaf) {
    std::string shape =
        "numeric needs an operator and a number, or two of each such as [\">\", "
        "0, \"<=\", 5]; got ";
    if (operand.type() != element_type::ARRAY) return fail(shape + shown(operand));
    std::vector<element> items;
    for (element item : array_of(operand)) items.push_back(item);
    if (items.size() != 2 && items.size() != 4) return fail(shape + shown(operand));

    struct Comparison {
      std::string_view op;
      double number;
    };
    std::vector<Comparison> comparisons;
    for (size_t i = 0; i < items.size(); i += 2) {
      std::string_view op;
      if (items[i].type() == element_type::STRING) op = string_of(items[i]);
      if (op != ">" && op != ">=" && op != "<" && op != "<=" && op != "=") {
        return fail("numeric: " + shown(items[i]) + " is not an operator; use >, >=, <, <= or =");
      }
      if (!is_number(items[i + 1])) {
        return fail("numeric: '" + std::string(op) + "' needs a number after it, got " +
                    shown(items[i + 1]));
      }
      comparisons.push_back({op, number_of(items[i + 1])});
    }

    NumericRange range;
    bool has_low = false;
    bool has_high = false;
    for (const Comparison& comparison : comparisons) {
      if (comparison.op == "=") {
        if (comparisons.size() > 1) {
          return fail("numeric: '=' stands alone; it cannot be combined with another comparison");
        }
        range = {comparison.number, true, comparison.number, true};
        break;
      }
      bool lower = comparison.op[0] == '>';
      if ((lower && has_low) || (!lower && has_high)) {
        return fail(
            "numeric: a range needs one lower bound (> or >=) and one upper bound (< or "
            "<=), got " +
            shown(operand));
      }
      bool inclusive = comparison.op.size() == 2;
      if (lower) {
        range.low = comparison.number;
        range.low_inclusive = inclusive;
        has_low = true;
      } else {
        range.high = comparison.number;
        range.high_inclusive = inclusive;
        has_high = true;
      }
    }
    bool empty = range.low > range.high ||
                 (range.low == range.high && !(range.low_inclusive && range.high_inclusive));
    if (empty) return fail("numeric: no number is in the range " + shown(operand));
    leaf.numeric_ranges.push_back(range);
    return true;
  }

  bool parse_anything_but(element operand, LeafMatcher& leaf) {
    AnythingBut anything_but;
    switch (operand.type()) {
      case element_type::STRING:
        anything_but.excluded_strings.insert(std::string(string_of(operand)));
        break;
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
        anything_but.excluded_numbers.push_back(number_of(operand));
        break;
      case element_type::ARRAY:
        if (!parse_excluded_list(operand, anything_but)) return false;
        break;
      case element_type::OBJECT:
        if (!parse_excluded_condition(operand, anything_but)) return false;
        break;
      case element_type::BOOL:
      case element_type::NULL_VALUE:
        return fail(
            "anything-but takes a string, a number, a list of strings or of numbers, or "
            "one of prefix, suffix, equals-ignore-case and wildcard; got " +
            shown(operand));
    }
    leaf.anything_buts.push_back(std::move(anything_but));
    return true;
  }

  bool parse_excluded_list(element operand, AnythingBut& anything_but) {
    simdjson::dom::array items = array_of(operand);
    if (items.size() == 0) {
      return fail("anything-but: the list is empty; give at least one value to exclude");
    }
    bool strings = false;
    bool numbers = false;
    for (element item : items) {
      if (item.type() == element_type::STRING) {
        strings = true;
        anything_but.excluded_strings.insert(std::string(string_of(item)));
      } else if (is_number(item)) {
        numbers = true;
        anything_but.excluded_numbers.push_back(number_of(item));
      } else {
        return fail("anything-but: a list holds only strings or only numbers, got " + shown(item));
      }
    }
    if (strings && numbers) {
      return fail("anything-but: a list holds only strings or only numbers, not both; got " +
                  shown(operand));
    }
    return true;
  }

  // {"prefix": "..."}, {"suffix": "..."}, {"equals-ignore-case": "..." or [...]},
  // {"wildcard": "..." or [...]}: strings that match none of them.
  bool parse_excluded_condition(element operand, AnythingBut& anything_but) {
    anything_but.string_form = true;
    simdjson::dom::object object = object_of(operand);
    std::string kinds = "prefix, suffix, equals-ignore-case or wildcard";
    if (object.size() != 1) {
      return fail("anything-but takes an object with one key (" + kinds + "), got " +
                  shown(operand));
    }
    auto [name, value] = *object.begin();
    Scope scope(*this, StepKind::matcher, name);
    if (name == "prefix" || name == "suffix") {
      if (value.type() != element_type::STRING) {
        return fail("anything-but " + std::string(name) + " needs a string, got " + shown(value));
      }
      anything_but.excluded_conditions.push_back(string_condition(
          name == "prefix" ? StringCondition::Kind::prefix : StringCondition::Kind::suffix, value));
      return true;
    }
    if (name != "equals-ignore-case" && name != "wildcard") {
      return fail("anything-but takes " + kinds + " inside an object, not '" + std::string(name) +
                      "'" + suggestion(name),
                  true);
    }
    std::vector<element> texts;
    if (value.type() == element_type::ARRAY) {
      for (element item : array_of(value)) texts.push_back(item);
    } else {
      texts.push_back(value);
    }
    if (texts.empty()) return fail("anything-but " + std::string(name) + ": the list is empty");
    for (element text : texts) {
      if (text.type() != element_type::STRING) {
        return fail("anything-but " + std::string(name) +
                    " needs a string or a list of strings, "
                    "got " +
                    shown(text));
      }
      if (name == "wildcard") {
        std::optional<StringCondition> condition = wildcard_condition(text);
        if (!condition) return false;
        anything_but.excluded_conditions.push_back(std::move(*condition));
      } else {
        anything_but.excluded_conditions.push_back(
            string_condition(StringCondition::Kind::equals_ignore_case, text));
      }
    }
    return true;
  }

  std::vector<Step> steps_;
  std::optional<PatternError> error_;
};

bool is_dynamodb_type(std::string_view key) {
  return std::ranges::find(kDynamoDbTypes, key) != kDynamoDbTypes.end();
}

// A pattern for one attribute value that spells the types itself: {"S": [...]}, {"M": {...}}.
bool spells_types(const ObjectPattern& pattern) {
  if (pattern.fields.empty() || !pattern.any_of.empty()) return false;
  return std::ranges::all_of(pattern.fields,
                             [](const FieldPattern& field) { return is_dynamodb_type(field.key); });
}

void mark_attribute_map(ObjectPattern& map);

void mark_typed_value(ObjectPattern& value) {
  for (FieldPattern& field : value.fields) {
    if (!field.object) continue;
    if (field.key == "M") mark_attribute_map(*field.object);
    if (field.key == "L" && spells_types(*field.object)) mark_typed_value(*field.object);
  }
}

void mark_attribute_map(ObjectPattern& map) {
  map.attribute_map = true;
  for (ObjectPattern& alternative : map.any_of) mark_attribute_map(alternative);
  for (FieldPattern& field : map.fields) {
    if (!field.object) continue;
    if (spells_types(*field.object)) {
      field.typed_attribute = true;
      mark_typed_value(*field.object);
    } else {
      mark_attribute_map(*field.object);  // an unmarshalled map attribute (M)
    }
  }
}

// `dynamodb` of a DynamoDB Streams record: its images hold typed attribute values.
void mark_images(ObjectPattern& dynamodb) {
  for (ObjectPattern& alternative : dynamodb.any_of) mark_images(alternative);
  for (FieldPattern& field : dynamodb.fields) {
    bool image = field.key == "NewImage" || field.key == "OldImage" || field.key == "Keys";
    if (image && field.object) mark_attribute_map(*field.object);
  }
}

void mark_top_level(ObjectPattern& root) {
  for (ObjectPattern& alternative : root.any_of) mark_top_level(alternative);
  for (FieldPattern& field : root.fields) {
    if (!field.object) continue;
    if (field.key == "data" || field.key == "key" || field.key == "value") {
      field.decode_encoded_body = true;
    }
    if (field.key == "dynamodb") mark_images(*field.object);
  }
}

}  // namespace

std::expected<detail::ObjectPattern, PatternError> build_pattern_tree(simdjson::dom::element root) {
  auto tree = PatternParser().parse(root);
  if (tree) mark_top_level(*tree);
  return tree;
}

}  // namespace shardpipe::filter
