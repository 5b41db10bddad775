#include "filter/event_pattern.hpp"

#include <simdjson.h>

#include "filter/pattern_parser.hpp"

namespace shardpipe::filter {
namespace {

PatternError whole_pattern_error(std::string message) {
  PatternError error;
  error.message = std::move(message);
  return error;
}

}  // namespace

std::string PatternError::text() const {
  return field.empty() ? message : field + ": " + message;
}

std::expected<CompiledPattern, PatternError> parse_pattern(std::string_view pattern_json) {
  if (pattern_json.size() > kMaxPatternChars) {
    return std::unexpected(whole_pattern_error(
        "the pattern is " + std::to_string(pattern_json.size()) +
        " characters long as JSON; EventBridge allows at most " + std::to_string(kMaxPatternChars) +
        ", so split it into several patterns"));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto failure = parser.parse(pattern_json.data(), pattern_json.size()).get(root)) {
    return std::unexpected(whole_pattern_error("the pattern is not valid JSON: " +
                                               std::string(simdjson::error_message(failure))));
  }
  auto tree = build_pattern_tree(root);
  if (!tree) return std::unexpected(std::move(tree.error()));
  return CompiledPattern(std::make_shared<const detail::ObjectPattern>(std::move(*tree)));
}

Result<CompiledPattern> compile_pattern(std::string_view pattern_json) {
  auto pattern = parse_pattern(pattern_json);
  if (!pattern) return fail(Error::permanent(pattern.error().text()));
  return std::move(*pattern);
}

}  // namespace shardpipe::filter
