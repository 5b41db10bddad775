// EventBridge event patterns (CONTRACT section 2, `filter:`), compiled once for fast matching.
//
// A pattern is a JSON object shaped like the records it selects. Every field it names must match
// (AND); a field's list of values matches when any value does (OR); a nested object descends into
// the record. docs/filtering.md lists the values and operators and their exact semantics.
//
// To filter records, use RecordFilter (record_filter.hpp); this header is for compiling and
// checking single patterns, e.g. while validating a pipe file.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace shardpipe::filter {

namespace detail {
struct ObjectPattern;
}

// One step from a pattern's root towards the part an error is about: an object key, or an index
// into a list (a field's list of values, or the alternatives of "$or").
struct PatternStep {
  std::string key;  // when index < 0
  int index = -1;
};

struct PatternError {
  std::vector<PatternStep> location;  // where the offending part is; empty for the whole pattern
  bool at_key = false;                // the last step's key itself is wrong (not its value)
  std::string field;                  // the field in the record's terms, e.g. "data.amount"
  std::string message;                // what is wrong and what to write instead

  // "data.amount: numeric needs ..." (or the message alone for the whole pattern).
  std::string text() const;
};

// An immutable compiled pattern; cheap to copy and safe to share between threads.
class CompiledPattern {
 public:
  const detail::ObjectPattern& root() const { return *root_; }

 private:
  friend std::expected<CompiledPattern, PatternError> parse_pattern(std::string_view);
  explicit CompiledPattern(std::shared_ptr<const detail::ObjectPattern> root)
      : root_(std::move(root)) {}

  std::shared_ptr<const detail::ObjectPattern> root_;
};

// EventBridge Pipes' limit on the length of one pattern's text.
inline constexpr size_t kMaxPatternChars = 4096;

// Compiles one pattern written as JSON, or says precisely what is wrong with it.
std::expected<CompiledPattern, PatternError> parse_pattern(std::string_view pattern_json);

// The same, with the error as a permanent Error whose message is PatternError::text().
Result<CompiledPattern> compile_pattern(std::string_view pattern_json);

}  // namespace shardpipe::filter
