// Walks the compiled pattern and the parsed record side by side.
//
// - A field missing from the record, or holding an object where the pattern lists values, has no
//   leaf value: only {"exists": false} matches it.
// - A record value that is an array matches when any element does: its scalars for a list of
//   values, its objects for a nested pattern (so two fields of a nested pattern must match in the
//   same element).
// - In a DynamoDB image (dynamodb.NewImage, OldImage, Keys), attribute values are typed
//   ({"S": "paid"}, {"N": "12.5"}, {"M": {...}}). A pattern that spells the types matches them as
//   they are; any other pattern sees the unmarshalled value: S and B as strings, N as a number,
//   BOOL, NULL, M as an object of attributes, and L, SS, NS and BS as arrays.
#include "filter/pattern_matcher.hpp"

#include <array>
#include <charconv>

#include "core/json_text.hpp"
#include "filter/dom_access.hpp"
#include "filter/same_bytes.hpp"

namespace shardpipe::filter::detail {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::optional<Scalar> scalar_of(element value) {
  switch (value.type()) {
    case element_type::STRING:
      return Scalar{Scalar::Type::string, string_of(value), 0};
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return Scalar{Scalar::Type::number, {}, number_of(value)};
    case element_type::BOOL:
      return Scalar{
          bool_of(value) ? Scalar::Type::boolean_true : Scalar::Type::boolean_false, {}, 0};
    case element_type::NULL_VALUE:
      return Scalar{Scalar::Type::null, {}, 0};
    case element_type::ARRAY:
    case element_type::OBJECT:
      break;
  }
  return std::nullopt;
}

// A DynamoDB number, kept as a string in the typed form.
Scalar number_from_text(std::string_view text) {
  double number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return {Scalar::Type::string, text, 0};  // not a number after all: compare it as text
  }
  return {Scalar::Type::number, text, number};
}

// {"S": "x"}: an object with one key that names a DynamoDB type.
struct TypedValue {
  std::string_view type;
  element value;
};

std::optional<TypedValue> typed_value(element value) {
  if (value.type() != element_type::OBJECT) return std::nullopt;
  simdjson::dom::object object = object_of(value);
  if (object.size() != 1) return std::nullopt;
  auto [key, inner] = *object.begin();
  static constexpr std::array<std::string_view, 10> kTypes = {"S", "N", "B",  "BOOL", "NULL",
                                                              "M", "L", "SS", "NS",   "BS"};
  for (std::string_view type : kTypes) {
    if (key == type) return TypedValue{key, inner};
  }
  return std::nullopt;
}

// The value of `key` in `object`.
bool find_field(simdjson::dom::object object, std::string_view key, element& found) {
  for (auto [name, value] : object) {
    if (same_text(name, key)) {
      found = value;
      return true;
    }
  }
  return false;
}

// Calls `visit` on each leaf value of a record value: the value itself, or the scalars of an
// array (nested arrays included). Stops at the first `visit` that returns true. `seen` tells
// whether there was any leaf value.
template <typename Visit>
bool any_leaf(element value, bool& seen, Visit& visit) {
  if (value.type() == element_type::ARRAY) {
    for (element item : array_of(value)) {
      if (any_leaf(item, seen, visit)) return true;
    }
    return false;
  }
  std::optional<Scalar> scalar = scalar_of(value);
  if (!scalar) return false;  // an object is not a leaf
  seen = true;
  return visit(*scalar);
}

// The same for a typed DynamoDB attribute value, unmarshalled.
template <typename Visit>
bool any_attribute_leaf(element value, bool& seen, Visit& visit) {
  std::optional<TypedValue> typed = typed_value(value);
  if (!typed) return any_leaf(value, seen, visit);  // not typed after all: read it as JSON
  std::string_view type = typed->type;
  element inner = typed->value;
  auto visit_one = [&](Scalar scalar) {
    seen = true;
    return visit(scalar);
  };
  if (type == "S" || type == "B") {
    if (inner.type() != element_type::STRING) return false;
    return visit_one({Scalar::Type::string, string_of(inner), 0});
  }
  if (type == "N") {
    if (inner.type() != element_type::STRING) return any_leaf(inner, seen, visit);
    return visit_one(number_from_text(string_of(inner)));
  }
  if (type == "BOOL" || type == "NULL") {
    if (inner.type() != element_type::BOOL) return false;
    if (type == "NULL") return visit_one({Scalar::Type::null, {}, 0});
    return visit_one(
        {bool_of(inner) ? Scalar::Type::boolean_true : Scalar::Type::boolean_false, {}, 0});
  }
  if (inner.type() != element_type::ARRAY) return false;  // M, or a malformed value
  for (element item : array_of(inner)) {
    if (type == "L") {
      if (any_attribute_leaf(item, seen, visit)) return true;
    } else if (item.type() == element_type::STRING) {
      std::string_view text = string_of(item);
      if (visit_one(type == "NS" ? number_from_text(text)
                                 : Scalar{Scalar::Type::string, text, 0})) {
        return true;
      }
    }
  }
  return false;
}

// Record values are passed as pointers, nullptr for a missing field: cheaper than an optional,
// whose piecewise stores and whole reads stall store forwarding in this hot loop.
class Evaluator {
 public:
  explicit Evaluator(MatchScratch& scratch) : scratch_(scratch) {}

  bool object(const ObjectPattern& pattern, const element* value) {
    if (value && value->type() == element_type::ARRAY) {
      simdjson::dom::array items = array_of(*value);
      if (items.size() == 0) return object(pattern, nullptr);
      for (element item : items) {
        if (object(pattern, &item)) return true;
      }
      return false;
    }
    bool has_fields = value && value->type() == element_type::OBJECT;
    simdjson::dom::object fields;
    if (has_fields) fields = object_of(*value);
    for (const FieldPattern& field : pattern.fields) {
      element child;
      bool found = has_fields && find_field(fields, field.key, child);
      if (!this->field(field, found ? &child : nullptr, pattern.attribute_map)) return false;
    }
    if (pattern.any_of.empty()) return true;
    for (const ObjectPattern& alternative : pattern.any_of) {
      if (object(alternative, value)) return true;
    }
    return false;
  }

 private:
  bool field(const FieldPattern& field, const element* value, bool in_attribute_map) {
    bool unmarshal = in_attribute_map && !field.typed_attribute;
    if (field.leaf) return leaf(*field.leaf, value, unmarshal);
    if (field.decode_encoded_body && value && value->type() == element_type::STRING) {
      // Data that is not JSON cannot match a nested pattern (EventBridge Pipes drops it too).
      std::optional<element> body = scratch_.decode_body(string_of(*value));
      return body && object(*field.object, &*body);
    }
    if (unmarshal) return attribute_object(*field.object, value);
    return object(*field.object, value);
  }

  bool leaf(const LeafMatcher& leaf, const element* value, bool unmarshal) {
    if (!value) return leaf.exists_false;
    auto visit = [&leaf](const Scalar& scalar) { return leaf.exists_true || leaf.matches(scalar); };
    bool seen = false;
    bool matched =
        unmarshal ? any_attribute_leaf(*value, seen, visit) : any_leaf(*value, seen, visit);
    return matched || (!seen && leaf.exists_false);
  }

  // A nested pattern over an unmarshalled attribute: M is its map, L a list of attribute values.
  bool attribute_object(const ObjectPattern& pattern, const element* value) {
    std::optional<TypedValue> typed;
    if (value) typed = typed_value(*value);
    if (!typed) return object(pattern, value);
    if (typed->type == "M") return object(pattern, &typed->value);
    if (typed->type == "L" && typed->value.type() == element_type::ARRAY) {
      simdjson::dom::array items = array_of(typed->value);
      if (items.size() == 0) return object(pattern, nullptr);
      for (element item : items) {
        if (attribute_object(pattern, &item)) return true;
      }
      return false;
    }
    return object(pattern, &typed->value);  // a scalar: the pattern's fields are all missing
  }

  MatchScratch& scratch_;
};

}  // namespace

std::optional<simdjson::dom::element> MatchScratch::decode_body(std::string_view encoded) {
  if (cached_source_ == encoded.data() && cached_size_ == encoded.size()) return cached_body_;
  cached_source_ = encoded.data();
  cached_size_ = encoded.size();
  cached_body_.reset();

  auto parse = [this](std::string_view text) -> std::optional<element> {
    element body;
    if (parser_.parse(text.data(), text.size()).get(body) != simdjson::SUCCESS) return std::nullopt;
    if (body.type() != element_type::OBJECT && body.type() != element_type::ARRAY) {
      return std::nullopt;
    }
    return body;
  };
  size_t start = encoded.find_first_not_of(" \t\r\n");
  bool looks_like_json =
      start != std::string_view::npos && (encoded[start] == '{' || encoded[start] == '[');
  if (looks_like_json) {
    cached_body_ = parse(encoded);  // data_encoding: text, holding JSON text
  } else if (base64_decode(encoded, decoded_)) {
    cached_body_ = parse(decoded_);  // data_encoding: base64
  }
  return cached_body_;
}

bool matches_pattern(const ObjectPattern& pattern, simdjson::dom::element record,
                     MatchScratch& scratch) {
  return Evaluator(scratch).object(pattern, &record);
}

}  // namespace shardpipe::filter::detail
