#include "filter/record_filter.hpp"

#include <simdjson.h>

#include "filter/pattern_matcher.hpp"

namespace shardpipe::filter {

struct RecordFilter::Parsing {
  simdjson::dom::parser parser;
  detail::MatchScratch scratch;
};

RecordFilter::RecordFilter(std::vector<CompiledPattern> patterns)
    : patterns_(std::move(patterns)), parsing_(std::make_unique<Parsing>()) {}

RecordFilter::RecordFilter(const RecordFilter& other) : RecordFilter(other.patterns_) {}

RecordFilter& RecordFilter::operator=(const RecordFilter& other) {
  if (this != &other) patterns_ = other.patterns_;
  return *this;
}

RecordFilter::RecordFilter(RecordFilter&&) noexcept = default;
RecordFilter& RecordFilter::operator=(RecordFilter&&) noexcept = default;
RecordFilter::~RecordFilter() = default;

Result<RecordFilter> RecordFilter::compile(std::span<const std::string> patterns) {
  std::vector<CompiledPattern> compiled;
  compiled.reserve(patterns.size());
  for (size_t i = 0; i < patterns.size(); ++i) {
    auto pattern = parse_pattern(patterns[i]);
    if (!pattern) {
      return fail(
          Error::permanent("pattern " + std::to_string(i + 1) + ": " + pattern.error().text()));
    }
    compiled.push_back(std::move(*pattern));
  }
  return RecordFilter(std::move(compiled));
}

RecordFilter RecordFilter::from_patterns(std::vector<CompiledPattern> patterns) {
  return RecordFilter(std::move(patterns));
}

bool RecordFilter::matches(std::string_view envelope_json) {
  if (patterns_.empty()) return true;
  if (!parsing_) parsing_ = std::make_unique<Parsing>();  // after being moved from
  simdjson::dom::element record;
  if (parsing_->parser.parse(envelope_json.data(), envelope_json.size()).get(record) !=
      simdjson::SUCCESS) {
    return false;
  }
  parsing_->scratch.next_record();
  for (const CompiledPattern& pattern : patterns_) {
    if (detail::matches_pattern(pattern.root(), record, parsing_->scratch)) return true;
  }
  return false;
}

}  // namespace shardpipe::filter
