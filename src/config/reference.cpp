#include "config/reference.hpp"

#include <string_view>

#include "config/properties.hpp"
#include "core/markdown.hpp"

namespace shardpipe::config {
namespace {

constexpr std::string_view kPreamble = R"(# Configuration reference

<!-- Generated from the property tables in src/config/ by `shardpipe config reference`.
     Do not edit by hand: change the tables, then run
     `shardpipe config reference > docs/configuration.md`. -->

A pipe is one YAML file. `shardpipe validate PIPE.yaml` checks it and prints every problem as
`FILE:LINE:COL: error: MESSAGE`.

- **Durations** are written `250ms`, `10s`, `5m`, `1h` or `7d`; parts add up (`1h30m`); `0`
  is the same as `0s`.
- **Sizes** are written `512KiB`, `6MiB`, `1GiB` (powers of 1024), `500KB`, `6MB` (powers of
  1000), or as a plain number of bytes.
- **Paths** are relative to the folder of the pipe file; absolute paths are used as they are.
- **Timestamps** are RFC 3339: `2026-11-22T10:00:00Z`, `2026-11-22T12:00:00.250+02:00`.
- A key written without a value, or as `null`, keeps its default.
- **required** keys must be written; those with types in their *applies to* column only for
  those types.
- Unknown keys are errors, and so are keys that do not apply to the component's `type`.

)";

std::string code(std::string_view text) {
  return "`" + markdown_cell(text) + "`";
}

// Values such as `6MiB` go in a code span; prose such as "the pipe's name" reads better outside.
std::string code_or_prose(std::string_view text) {
  return text.find(' ') == std::string_view::npos ? code(text) : markdown_cell(text);
}

std::string anchor_of(const Component& component) {
  return component.name.empty() ? "top-level" : std::string(component.name);
}

std::string default_cell(const Property& property) {
  if (property.required) return "**required**";
  if (property.default_text.empty()) return "";
  return code_or_prose(property.default_text);
}

std::string limits_cell(const Property& property) {
  if (property.type == ValueType::enumeration) {
    std::string values;
    for (std::string_view value : property.allowed) {
      values += (values.empty() ? "" : ", ") + code(value);
    }
    return values;
  }
  if (!property.rule.empty()) return code_or_prose(property.rule);
  return markdown_cell(limits_text(property));
}

std::string applies_to_cell(const Component& component, const Property& property) {
  if (!component.type_property()) return "";
  if (property.applies_to.empty()) return "every type";
  std::string types;
  for (std::string_view type : property.applies_to)
    types += (types.empty() ? "" : ", ") + code(type);
  return types;
}

std::string example_cell(const Property& property) {
  if (property.example.empty()) return "";
  return code(std::string(property.key) + ": " + std::string(property.example));
}

void append_component(std::string& out, const Component& component) {
  out += "## " + std::string(component.title) + "\n\n";
  out += std::string(component.description) + "\n\n";
  if (const Property* type = component.type_property()) {
    out += "Types: " + limits_cell(*type) + " (default " + code(type->default_text) + ").\n\n";
  }
  out +=
      "| key | type | default | allowed values / bounds | applies to | description | example |\n";
  out += "|---|---|---|---|---|---|---|\n";
  for (const Property& property : component.properties) {
    out += "| " + code(property.key);
    out += " | " + markdown_cell(type_name(property));
    out += " | " + default_cell(property);
    out += " | " + limits_cell(property);
    out += " | " + applies_to_cell(component, property);
    out += " | " + markdown_cell(property.description);
    out += " | " + example_cell(property);
    out += " |\n";
  }
  out += "\n";
}

}  // namespace

std::string configuration_reference_markdown() {
  std::string out(kPreamble);
  std::string contents;
  for (const Component& component : components()) {
    contents += (contents.empty() ? "" : ", ") + std::string("[") + std::string(component.title) +
                "](#" + anchor_of(component) + ")";
  }
  out += "Sections: " + contents + ".\n\n";
  for (const Component& component : components()) append_component(out, component);
  // One trailing newline, as editors save files.
  out.pop_back();
  return out;
}

}  // namespace shardpipe::config
