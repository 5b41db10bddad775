// The `transform:` of a pipe: an input template over the record's envelope, in the style of
// EventBridge Pipes' input transformers. The pipeline calls it for every record that passed the
// filter:
//
//   auto input = compile_template(*config.transform);      // once, when the pipe starts
//   Result<std::string> out = input->apply(record.envelope);
//   if (!out) { /* dead-letter the record with condition TransformError, out.error().message */ }
//
// Placeholders are <$.path> (see json_path.hpp) and <$> for the whole record; <aws.pipes.event>
// and <aws.pipes.event.json> are accepted as names for the whole record too.
// - A template whose first character (after blanks) is '{' or '[' is a JSON template. There, a
//   placeholder standing as a value becomes the JSON of what the path selects (object, array,
//   number, boolean, null or quoted string), and a placeholder inside a JSON string becomes text,
//   escaped for the string. The template must be valid JSON once its placeholders are filled.
// - Any other template is text: strings are inserted as their characters, other values as JSON.
// - A path that selects nothing inserts nothing (EventBridge: "that variable isn't created"),
//   except where a JSON value is required, where it inserts null so the output stays JSON.
// - A path with wildcards inserts the JSON array of everything it selects.
//
// An InputTemplate is immutable and thread-safe; apply() parses with a per-thread parser.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::transform {

namespace detail {
struct CompiledTemplate;
}

// EventBridge's limit on the length of an input template.
inline constexpr size_t kMaxTemplateChars = 8192;

class InputTemplate {
 public:
  // The transformed record, or a permanent Error (the envelope is not JSON, or the output of a
  // JSON template is not valid JSON): the engine dead-letters such a record as TransformError.
  Result<std::string> apply(std::string_view envelope_json) const;
  // The same, appending to `out` (which is left as it was on error).
  Status apply_to(std::string_view envelope_json, std::string& out) const;

  bool is_json() const;

 private:
  friend Result<InputTemplate> compile_template(std::string_view);
  explicit InputTemplate(std::shared_ptr<const detail::CompiledTemplate> compiled)
      : compiled_(std::move(compiled)) {}

  std::shared_ptr<const detail::CompiledTemplate> compiled_;
};

// Compiles the `transform:` value as written (PipeConfig::transform). The error is a permanent
// Error whose message names the offending placeholder or position.
Result<InputTemplate> compile_template(std::string_view template_text);

}  // namespace shardpipe::transform
