// "Did you mean ...?" for misspelt keys and enum values.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace shardpipe::config {

// The candidate nearest to `word` when it is near enough to be a likely typo: case, '_' and '-'
// are ignored, and a few edits are allowed depending on the word's length.
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);

}  // namespace shardpipe::config
