#include "config/yaml_json.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json_text.hpp"

namespace shardpipe::config {
namespace {

using Json = nlohmann::ordered_json;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Where the run of digits that starts at `from` ends.
size_t end_of_digits(std::string_view text, size_t from) {
  while (from < text.size() && is_digit(text[from])) ++from;
  return from;
}

// A YAML 1.2 number: an optional sign, digits with an optional fraction (at least one digit in
// all), and an optional exponent. Hex, octal, .inf and .nan stay strings.
bool looks_like_decimal(std::string_view text) {
  size_t i = (text.starts_with('-') || text.starts_with('+')) ? 1 : 0;
  size_t integer_end = end_of_digits(text, i);
  size_t digits = integer_end - i;
  i = integer_end;
  if (i < text.size() && text[i] == '.') {
    size_t fraction_end = end_of_digits(text, i + 1);
    digits += fraction_end - (i + 1);
    i = fraction_end;
  }
  if (digits == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    size_t exponent_end = end_of_digits(text, i);
    if (exponent_end == i) return false;
    i = exponent_end;
  }
  return i == text.size();
}

template <typename Number>
std::optional<Number> parse_whole(std::string_view text) {
  Number value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Json plain_scalar_to_json(const std::string& text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (text == "null" || text == "Null" || text == "NULL" || text == "~") return nullptr;
  if (!looks_like_decimal(text)) return text;
  std::string_view digits = text;
  if (digits.starts_with('+')) digits.remove_prefix(1);
  if (auto whole = parse_whole<int64_t>(digits)) return *whole;
  if (auto whole = parse_whole<uint64_t>(digits)) return *whole;
  if (auto decimal = parse_whole<double>(digits)) return *decimal;
  return text;
}

// Aliases repeat the node of their anchor, so a short text can stand for a huge document, or an
// endless one when an alias sits inside the node it names. What is converted here is a pattern
// or a template, at most 4096 or 8192 characters of JSON, where each value takes at least one:
// conversion stops at these limits instead of exhausting memory or the stack.
constexpr int kMaxDepth = 1000;
constexpr size_t kMaxValues = 10000;

// YAML text is read as bytes, but JSON text is UTF-8 (and nlohmann's dump() throws otherwise).
std::unexpected<Problem> not_utf8(const YAML::Node& node) {
  return std::unexpected(Problem{node.Mark(), "this text is not valid UTF-8, which JSON requires"});
}

std::expected<Json, Problem> convert(const YAML::Node& node, int depth, size_t& values) {
  if (depth > kMaxDepth) {
    return std::unexpected(
        Problem{node.Mark(), "this is nested more than " + std::to_string(kMaxDepth) +
                                 " levels deep (with its aliases expanded; an alias inside "
                                 "the node it names never ends)"});
  }
  if (++values > kMaxValues) {
    return std::unexpected(Problem{node.Mark(), "this holds more than " +
                                                    std::to_string(kMaxValues) +
                                                    " values once its aliases are expanded"});
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Json(nullptr);
    case YAML::NodeType::Scalar:
      if (!is_valid_utf8(node.Scalar())) return not_utf8(node);
      // "?" is yaml-cpp's tag for a plain scalar; quoted and explicitly tagged ones are strings.
      if (node.Tag() == "?") return plain_scalar_to_json(node.Scalar());
      return Json(node.Scalar());
    case YAML::NodeType::Sequence: {
      Json array = Json::array();
      for (const YAML::Node& item : node) {
        auto converted = convert(item, depth + 1, values);
        if (!converted) return converted;
        array.push_back(std::move(*converted));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      Json object = Json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return std::unexpected(Problem{entry.first.Mark(),
                                         "keys inside a JSON object must be "
                                         "strings, not lists or mappings"});
        }
        if (!is_valid_utf8(entry.first.Scalar())) return not_utf8(entry.first);
        auto converted = convert(entry.second, depth + 1, values);
        if (!converted) return converted;
        object[entry.first.Scalar()] = std::move(*converted);
      }
      return object;
    }
  }
  return Json(nullptr);
}

}  // namespace

std::expected<Json, Problem> yaml_to_json(const YAML::Node& node) {
  size_t values = 0;
  return convert(node, 0, values);
}

}  // namespace shardpipe::config
