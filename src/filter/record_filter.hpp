// The `filter:` of a pipe: a record passes when any of its event patterns matches the record's
// envelope (CONTRACT section 3). This is what the pipeline calls for every record:
//
//   auto filter = RecordFilter::compile(config.filter_patterns);   // once, when the pipe starts
//   if (!filter->matches(record.envelope)) { /* filtered out: handled, counted, not delivered */ }
//
// A RecordFilter keeps a JSON parser that it reuses for every record, so it is not thread-safe:
// give each shard thread its own instance (copy one compiled instance per thread; the compiled
// patterns are shared and immutable).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "filter/event_pattern.hpp"

namespace shardpipe::filter {

class RecordFilter {
 public:
  // The patterns as JSON texts (PipeConfig::filter_patterns). No patterns: every record passes.
  // An invalid pattern is a permanent Error: "pattern N: FIELD: what is wrong" (N from 1).
  static Result<RecordFilter> compile(std::span<const std::string> patterns);
  static RecordFilter from_patterns(std::vector<CompiledPattern> patterns);

  RecordFilter(const RecordFilter& other);
  RecordFilter& operator=(const RecordFilter& other);
  RecordFilter(RecordFilter&&) noexcept;
  RecordFilter& operator=(RecordFilter&&) noexcept;
  ~RecordFilter();

  // True when any pattern matches the envelope. The envelope is parsed once for all patterns;
  // an envelope that is not valid JSON matches nothing (unless there are no patterns at all).
  bool matches(std::string_view envelope_json);

  size_t pattern_count() const { return patterns_.size(); }

 private:
  explicit RecordFilter(std::vector<CompiledPattern> patterns);

  struct Parsing;  // the reusable parser and scratch space
  std::vector<CompiledPattern> patterns_;
  std::unique_ptr<Parsing> parsing_;
};

}  // namespace shardpipe::filter
