#include "transform/input_template.hpp"

#include <simdjson.h>

#include <vector>

#include "core/json_text.hpp"
#include "transform/compiled_template.hpp"
#include "transform/json_writer.hpp"

namespace shardpipe::transform {
namespace {

using detail::TemplatePart;
using simdjson::dom::element;

// Appends `text` escaped for the inside of a JSON string (without the quotes).
void append_string_content(std::string& out, std::string_view text) {
  size_t opening_quote = out.size();
  append_json_string(out, text);
  out.pop_back();
  out.erase(opening_quote, 1);
}

// Appends the JSON of what a placeholder selects; false when it selects nothing.
bool append_selected_json(std::string& out, const TemplatePart& part, element root,
                          std::vector<element>& selected) {
  selected.clear();
  part.path.select(root, selected);
  if (selected.empty()) return false;
  if (!part.path.has_wildcard()) {
    detail::append_json(out, selected.front());
    return true;
  }
  out += '[';
  for (size_t i = 0; i < selected.size(); ++i) {
    if (i > 0) out += ',';
    detail::append_json(out, selected[i]);
  }
  out += ']';
  return true;
}

// Appends what a placeholder selects as text: a single string as its characters, anything else
// as its JSON. With `escaped`, the text is escaped for the inside of a JSON string.
void append_selected_text(std::string& out, const TemplatePart& part, element root,
                          std::vector<element>& selected, bool escaped, std::string& scratch) {
  selected.clear();
  part.path.select(root, selected);
  if (selected.empty()) return;
  std::string_view text;
  if (part.path.has_wildcard() || selected.front().get_string().get(text) != simdjson::SUCCESS) {
    scratch.clear();
    append_selected_json(scratch, part, root, selected);
    text = scratch;
  }
  if (escaped) {
    append_string_content(out, text);
  } else {
    out += text;
  }
}

}  // namespace

bool InputTemplate::is_json() const {
  return compiled_->json;
}

Status InputTemplate::apply_to(std::string_view envelope_json, std::string& out) const {
  // One parser per thread, reused for every record: apply() stays const and thread-safe.
  thread_local simdjson::dom::parser parser;
  thread_local std::vector<element> selected;
  element root;
  if (auto error = parser.parse(envelope_json.data(), envelope_json.size()).get(root)) {
    return fail(Error::permanent("the record is not valid JSON, so the template cannot read it (" +
                                 std::string(simdjson::error_message(error)) + ")"));
  }
  size_t start = out.size();
  thread_local std::string scratch;
  for (const TemplatePart& part : compiled_->parts) {
    switch (part.kind) {
      case TemplatePart::Kind::literal:
        out += part.literal;
        break;
      case TemplatePart::Kind::json_value:
        if (!append_selected_json(out, part, root, selected)) out += "null";
        break;
      case TemplatePart::Kind::string_text:
        append_selected_text(out, part, root, selected, true, scratch);
        break;
      case TemplatePart::Kind::plain_text:
        append_selected_text(out, part, root, selected, false, scratch);
        break;
    }
  }
  if (compiled_->json && !is_valid_json(std::string_view(out).substr(start))) {
    out.resize(start);
    return fail(Error::permanent("the transformed record is not valid JSON"));
  }
  return {};
}

Result<std::string> InputTemplate::apply(std::string_view envelope_json) const {
  std::string out;
  if (auto applied = apply_to(envelope_json, out); !applied)
    return fail(std::move(applied.error()));
  return out;
}

}  // namespace shardpipe::transform
