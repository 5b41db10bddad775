#include "targets/postgres/canonical_json.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/json_text.hpp"

namespace shardpipe::postgres_target {
namespace {

using simdjson::error_code;
using simdjson::SUCCESS;
namespace ondemand = simdjson::ondemand;

std::string_view trim_trailing_space(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

error_code append_value(ondemand::value& value, std::string& out);

error_code append_object(ondemand::object& object, std::string& out) {
  std::vector<std::pair<std::string, std::string>> members;
  for (auto member : object) {
    ondemand::field field;
    if (auto error = std::move(member).get(field)) return error;
    std::string_view name;
    if (auto error = field.unescaped_key().get(name)) return error;
    std::string key(name);
    std::string text;
    if (auto error = append_value(field.value(), text)) return error;
    members.emplace_back(std::move(key), std::move(text));
  }
  std::ranges::stable_sort(members, {}, &std::pair<std::string, std::string>::first);
  out += '{';
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, members[i].first);
    out += ':';
    out += members[i].second;
  }
  out += '}';
  return SUCCESS;
}

error_code append_value(ondemand::value& value, std::string& out) {
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return error;
  switch (type) {
    case ondemand::json_type::object: {
      ondemand::object object;
      if (auto error = value.get_object().get(object)) return error;
      return append_object(object, out);
    }
    case ondemand::json_type::array: {
      ondemand::array array;
      if (auto error = value.get_array().get(array)) return error;
      out += '[';
      bool first = true;
      for (auto element_result : array) {
        ondemand::value element;
        if (auto error = std::move(element_result).get(element)) return error;
        if (!first) out += ',';
        first = false;
        if (auto error = append_value(element, out)) return error;
      }
      out += ']';
      return SUCCESS;
    }
    case ondemand::json_type::string: {
      std::string_view text;
      if (auto error = value.get_string().get(text)) return error;
      append_json_string(out, text);
      return SUCCESS;
    }
    case ondemand::json_type::boolean: {
      bool flag = false;
      if (auto error = value.get_bool().get(flag)) return error;
      out += flag ? "true" : "false";
      return SUCCESS;
    }
    case ondemand::json_type::null: {
      bool is_null = false;
      if (auto error = value.is_null().get(is_null)) return error;
      if (!is_null) return simdjson::INCORRECT_TYPE;
      out += "null";
      return SUCCESS;
    }
    case ondemand::json_type::number:
      // As written: the key of a DynamoDB number may hold more digits than a double.
      out += trim_trailing_space(value.raw_json_token());
      return SUCCESS;
  }
  return simdjson::INCORRECT_TYPE;
}

}  // namespace

Result<std::string> canonical_json(std::string_view json_object) {
  thread_local ondemand::parser parser;
  simdjson::padded_string padded(json_object);
  ondemand::document document;
  ondemand::object object;
  std::string out;
  error_code error = parser.iterate(padded).get(document);
  if (!error) error = document.get_object().get(object);
  if (!error) error = append_object(object, out);
  if (error) {
    return fail(Error::permanent(
        fmt::format("a key is not a valid JSON object ({})", simdjson::error_message(error))));
  }
  return out;
}

}  // namespace shardpipe::postgres_target
