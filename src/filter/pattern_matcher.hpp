// Evaluates a compiled pattern against a record parsed by simdjson.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>

#include "filter/pattern_tree.hpp"

namespace shardpipe::filter::detail {

// What matching needs besides the record: a parser for the JSON inside encoded data, key and value
// fields, and the last body decoded, shared by the patterns evaluated for the same record.
class MatchScratch {
 public:
  // Forget the cached body: call once per record, before matching it.
  void next_record() { cached_source_ = nullptr; }

  // The JSON object or array that `encoded` holds, either as JSON text or as base64 of JSON text;
  // nullopt when it holds neither.
  std::optional<simdjson::dom::element> decode_body(std::string_view encoded);

 private:
  simdjson::dom::parser parser_;
  std::string decoded_;
  const char* cached_source_ = nullptr;
  size_t cached_size_ = 0;
  std::optional<simdjson::dom::element> cached_body_;
};

bool matches_pattern(const ObjectPattern& pattern, simdjson::dom::element record,
                     MatchScratch& scratch);

}  // namespace shardpipe::filter::detail
