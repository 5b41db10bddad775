#include "sources/dynamodb/attribute_values.hpp"

#include <fmt/format.h>

#include "core/json_text.hpp"

namespace shardpipe::dynamodb {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 8259's number grammar: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view text, bool& integer) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    return i > start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  integer = true;
  if (i < text.size() && text[i] == '.') {
    ++i;
    integer = false;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    integer = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

void append_number(std::string& out, std::string_view number) {
  if (is_portable_json_number(number)) {
    out.append(number);
  } else {
    append_json_string(out, number);
  }
}

Status append_value(std::string& out, simdjson::dom::element typed, std::string_view name);

Status append_list(std::string& out, simdjson::dom::element list, std::string_view name) {
  simdjson::dom::array values;
  if (list.get_array().get(values) != simdjson::SUCCESS) {
    return fail(Error::permanent(fmt::format("attribute {}: L is not an array", name)));
  }
  out.push_back('[');
  bool first = true;
  for (simdjson::dom::element value : values) {
    if (!first) out.push_back(',');
    first = false;
    if (auto appended = append_value(out, value, name); !appended) return appended;
  }
  out.push_back(']');
  return {};
}

// SS, NS, BS: arrays of strings.
Status append_set(std::string& out, simdjson::dom::element set, std::string_view name,
                  bool numbers) {
  simdjson::dom::array members;
  if (set.get_array().get(members) != simdjson::SUCCESS) {
    return fail(Error::permanent(fmt::format("attribute {}: a set that is not an array", name)));
  }
  out.push_back('[');
  bool first = true;
  for (simdjson::dom::element member : members) {
    std::string_view text;
    if (member.get_string().get(text) != simdjson::SUCCESS) {
      return fail(Error::permanent(fmt::format("attribute {}: a set member not a string", name)));
    }
    if (!first) out.push_back(',');
    first = false;
    if (numbers) {
      append_number(out, text);
    } else {
      append_json_string(out, text);
    }
  }
  out.push_back(']');
  return {};
}

Status append_value(std::string& out, simdjson::dom::element typed, std::string_view name) {
  simdjson::dom::object holder;
  if (typed.get_object().get(holder) != simdjson::SUCCESS || holder.size() != 1) {
    return fail(Error::permanent(
        fmt::format("attribute {}: not a typed value (an object with one type member)", name)));
  }
  auto [type, value] = *holder.begin();
  std::string_view text;
  if (type == "S" || type == "B") {
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      return fail(Error::permanent(fmt::format("attribute {}: {} is not a string", name, type)));
    }
    append_json_string(out, text);
  } else if (type == "N") {
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      return fail(Error::permanent(fmt::format("attribute {}: N is not a string", name)));
    }
    append_number(out, text);
  } else if (type == "BOOL") {
    bool flag = false;
    if (value.get_bool().get(flag) != simdjson::SUCCESS) {
      return fail(Error::permanent(fmt::format("attribute {}: BOOL is not a boolean", name)));
    }
    out.append(flag ? "true" : "false");
  } else if (type == "NULL") {
    out.append("null");
  } else if (type == "M") {
    return append_plain_item(out, value);
  } else if (type == "L") {
    return append_list(out, value, name);
  } else if (type == "SS" || type == "BS" || type == "NS") {
    return append_set(out, value, name, type == "NS");
  } else {
    return fail(Error::permanent(fmt::format("attribute {}: unknown type {}", name, type)));
  }
  return {};
}

}  // namespace

bool is_portable_json_number(std::string_view number) {
  bool integer = false;
  if (!is_json_number(number, integer)) return false;
  // Integers of up to 18 digits fit 64 bits. Anything else only if a JSON reader takes it: longer
  // integers may not fit, and an exponent such as 1e400 is beyond any double.
  size_t digits = number.size() - (number.front() == '-' ? 1 : 0);
  return (integer && digits <= 18) || is_valid_json(number);
}

Status append_plain_item(std::string& out, simdjson::dom::element item) {
  simdjson::dom::object attributes;
  if (item.get_object().get(attributes) != simdjson::SUCCESS) {
    return fail(Error::permanent("an item or map that is not an object"));
  }
  out.push_back('{');
  bool first = true;
  for (auto [name, typed] : attributes) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, name);
    out.push_back(':');
    if (auto appended = append_value(out, typed, name); !appended) return appended;
  }
  out.push_back('}');
  return {};
}

}  // namespace shardpipe::dynamodb
