#include "filter/wildcard.hpp"

namespace shardpipe::filter::detail {

std::expected<WildcardPattern, std::string> WildcardPattern::parse(std::string_view pattern) {
  WildcardPattern compiled;
  compiled.pieces_.emplace_back();
  bool previous_was_star = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size() || (pattern[i + 1] != '*' && pattern[i + 1] != '\\')) {
        return std::unexpected("a backslash may only escape '*' or '\\' (character " +
                               std::to_string(i + 1) + ")");
      }
      compiled.pieces_.back().push_back(pattern[++i]);
      previous_was_star = false;
    } else if (c == '*') {
      if (previous_was_star) {
        return std::unexpected("two '*' in a row are not allowed (character " +
                               std::to_string(i + 1) + ")");
      }
      compiled.pieces_.emplace_back();
      previous_was_star = true;
    } else {
      compiled.pieces_.back().push_back(c);
      previous_was_star = false;
    }
  }
  return compiled;
}

bool WildcardPattern::matches(std::string_view value) const {
  const std::string& first = pieces_.front();
  if (pieces_.size() == 1) return value == first;
  const std::string& last = pieces_.back();
  if (value.size() < first.size() + last.size()) return false;
  if (!value.starts_with(first) || !value.ends_with(last)) return false;
  // Between the fixed ends, each middle piece must appear in order; the leftmost occurrence is
  // always the best choice because every gap is a '*'.
  std::string_view middle = value.substr(first.size(), value.size() - first.size() - last.size());
  for (size_t i = 1; i + 1 < pieces_.size(); ++i) {
    size_t found = middle.find(pieces_[i]);
    if (found == std::string_view::npos) return false;
    middle.remove_prefix(found + pieces_[i].size());
  }
  return true;
}

}  // namespace shardpipe::filter::detail
