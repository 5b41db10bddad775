#include "transform/json_path.hpp"

#include <charconv>

namespace shardpipe::transform::detail {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Characters that end a member name (they have a meaning in paths or around placeholders).
bool ends_name(char c) {
  return c == '.' || c == '[' || c == ']' || c == '<' || c == '>' || c == '"' || c == '\\' ||
         static_cast<unsigned char>(c) <= ' ';
}

simdjson::dom::array array_of(element value) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return {};
  return array;
}

simdjson::dom::object object_of(element value) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) return {};
  return object;
}

std::string at(size_t position) {
  return " at character " + std::to_string(position + 1) + " of the path";
}

}  // namespace

std::expected<JsonPath, std::string> JsonPath::parse(std::string_view text) {
  if (!text.starts_with('$')) return std::unexpected("a path starts with '$', such as $.data.id");
  JsonPath path;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == '.') {
      ++i;
      if (i < text.size() && text[i] == '*') {
        path.steps_.push_back({Step::Kind::any_member, {}, 0});
        path.has_wildcard_ = true;
        ++i;
        continue;
      }
      size_t end = i;
      while (end < text.size() && !ends_name(text[end])) ++end;
      if (end == i) return std::unexpected("a member name is missing after '.'" + at(i - 1));
      path.steps_.push_back({Step::Kind::member, std::string(text.substr(i, end - i)), 0});
      i = end;
    } else if (text[i] == '[') {
      size_t close = text.find(']', i);
      if (close == std::string_view::npos) return std::unexpected("'[' is not closed" + at(i));
      std::string_view inside = text.substr(i + 1, close - i - 1);
      if (inside == "*") {
        path.steps_.push_back({Step::Kind::any_element, {}, 0});
        path.has_wildcard_ = true;
      } else {
        size_t index = 0;
        auto [end, error] = std::from_chars(inside.data(), inside.data() + inside.size(), index);
        if (inside.empty() || error != std::errc{} || end != inside.data() + inside.size()) {
          return std::unexpected("an array index must be a number or '*', got '[" +
                                 std::string(inside) + "]'" + at(i));
        }
        path.steps_.push_back({Step::Kind::index, {}, index});
      }
      i = close + 1;
    } else {
      return std::unexpected("unexpected '" + std::string(1, text[i]) + "'" + at(i) +
                             "; use .name for members and [n] for array items");
    }
  }
  return path;
}

void JsonPath::select(element root, std::vector<element>& out) const {
  select_from(root, 0, out);
}

void JsonPath::select_from(element value, size_t step, std::vector<element>& out) const {
  if (step == steps_.size()) {
    out.push_back(value);
    return;
  }
  const Step& current = steps_[step];
  switch (current.kind) {
    case Step::Kind::member: {
      element child;
      if (value.type() == element_type::OBJECT &&
          object_of(value).at_key(current.name).get(child) == simdjson::SUCCESS) {
        select_from(child, step + 1, out);
      }
      return;
    }
    case Step::Kind::index: {
      element child;
      if (value.type() == element_type::ARRAY &&
          array_of(value).at(current.index).get(child) == simdjson::SUCCESS) {
        select_from(child, step + 1, out);
      }
      return;
    }
    case Step::Kind::any_member:
      if (value.type() != element_type::OBJECT) return;
      for (auto [key, child] : object_of(value)) select_from(child, step + 1, out);
      return;
    case Step::Kind::any_element:
      if (value.type() != element_type::ARRAY) return;
      for (element child : array_of(value)) select_from(child, step + 1, out);
      return;
  }
}

}  // namespace shardpipe::transform::detail
