// A template split into literal text and placeholders, ready to be filled for each record.
#pragma once

#include <string>
#include <vector>

#include "transform/json_path.hpp"

namespace shardpipe::transform::detail {

struct TemplatePart {
  enum class Kind {
    literal,      // copied as it is
    json_value,   // a JSON template's value position: the selected JSON, null when missing
    string_text,  // inside a JSON string: text, escaped for the string
    plain_text,   // a text template: strings as their characters, anything else as JSON
  };
  Kind kind = Kind::literal;
  std::string literal;
  JsonPath path;
};

struct CompiledTemplate {
  bool json = false;
  std::vector<TemplatePart> parts;
};

}  // namespace shardpipe::transform::detail
