#include "targets/record_field.hpp"

#include <simdjson.h>

namespace shardpipe {
namespace {

// A JSON pointer segment for `name` (RFC 6901: "~" and "/" escaped).
std::string pointer_segment(std::string_view name) {
  std::string segment = "/";
  for (char c : name) {
    if (c == '~') {
      segment += "~0";
    } else if (c == '/') {
      segment += "~1";
    } else {
      segment += c;
    }
  }
  return segment;
}

std::string dotted_path_pointer(std::string_view field) {
  if (field.find('.') == std::string_view::npos) return {};
  std::string pointer;
  size_t begin = 0;
  while (true) {
    const size_t dot = field.find('.', begin);
    pointer += pointer_segment(field.substr(begin, dot - begin));
    if (dot == std::string_view::npos) return pointer;
    begin = dot + 1;
  }
}

std::string_view trim_trailing_space(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<std::string> value_at(simdjson::ondemand::document& document,
                                    std::string_view pointer) {
  using namespace simdjson;
  ondemand::value value;
  ondemand::json_type type;
  if (document.at_pointer(pointer).get(value) != SUCCESS) return std::nullopt;
  if (value.type().get(type) != SUCCESS) return std::nullopt;
  std::string_view text;
  switch (type) {
    case ondemand::json_type::null:
      return std::nullopt;
    case ondemand::json_type::string:
      if (value.get_string().get(text) != SUCCESS) return std::nullopt;
      return std::string(text);
    case ondemand::json_type::object: {
      ondemand::object inner;
      if (value.get_object().get(inner) != SUCCESS || inner.raw_json().get(text) != SUCCESS) {
        return std::nullopt;
      }
      return std::string(trim_trailing_space(text));
    }
    case ondemand::json_type::array: {
      ondemand::array inner;
      if (value.get_array().get(inner) != SUCCESS || inner.raw_json().get(text) != SUCCESS) {
        return std::nullopt;
      }
      return std::string(trim_trailing_space(text));
    }
    default:  // number, boolean: the token as written
      return std::string(trim_trailing_space(value.raw_json_token()));
  }
}

}  // namespace

struct RecordField::Parser {
  simdjson::ondemand::parser parser;
};

RecordField::RecordField(std::string_view field)
    : top_level_pointer_(pointer_segment(field)),
      path_pointer_(dotted_path_pointer(field)),
      parser_(std::make_unique<Parser>()) {}
RecordField::~RecordField() = default;
RecordField::RecordField(RecordField&&) noexcept = default;
RecordField& RecordField::operator=(RecordField&&) noexcept = default;

std::optional<std::string> RecordField::value_in(std::string_view json) {
  simdjson::padded_string padded(json);
  simdjson::ondemand::document document;
  if (parser_->parser.iterate(padded).get(document) != simdjson::SUCCESS) return std::nullopt;
  if (auto value = value_at(document, top_level_pointer_)) return value;
  if (path_pointer_.empty()) return std::nullopt;
  return value_at(document, path_pointer_);  // at_pointer rewinds the document first
}

}  // namespace shardpipe
