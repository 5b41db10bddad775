#include "transform/json_writer.hpp"

#include <charconv>

#include "core/json_text.hpp"

namespace shardpipe::transform::detail {
namespace {

using simdjson::dom::element_type;

template <typename Number>
void append_number(std::string& out, Number number) {
  char digits[32];
  auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  out.append(digits, end);
}

}  // namespace

void append_json(std::string& out, simdjson::dom::element value) {
  switch (value.type()) {
    case element_type::STRING: {
      std::string_view text;
      if (value.get_string().get(text) == simdjson::SUCCESS) append_json_string(out, text);
      return;
    }
    case element_type::INT64: {
      int64_t number = 0;
      if (value.get_int64().get(number) == simdjson::SUCCESS) append_number(out, number);
      return;
    }
    case element_type::UINT64: {
      uint64_t number = 0;
      if (value.get_uint64().get(number) == simdjson::SUCCESS) append_number(out, number);
      return;
    }
    case element_type::DOUBLE: {
      double number = 0;
      if (value.get_double().get(number) == simdjson::SUCCESS) append_number(out, number);
      return;
    }
    case element_type::BOOL: {
      bool flag = false;
      if (value.get_bool().get(flag) == simdjson::SUCCESS) out += flag ? "true" : "false";
      return;
    }
    case element_type::NULL_VALUE:
      out += "null";
      return;
    case element_type::ARRAY: {
      simdjson::dom::array items;
      if (value.get_array().get(items) != simdjson::SUCCESS) return;
      out += '[';
      bool first = true;
      for (simdjson::dom::element item : items) {
        if (!first) out += ',';
        first = false;
        append_json(out, item);
      }
      out += ']';
      return;
    }
    case element_type::OBJECT: {
      simdjson::dom::object fields;
      if (value.get_object().get(fields) != simdjson::SUCCESS) return;
      out += '{';
      bool first = true;
      for (auto [key, field] : fields) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
        out += ':';
        append_json(out, field);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace shardpipe::transform::detail
