#include "config/closest_match.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace shardpipe::config {
namespace {

// Lowercase without separators, so that batchSize, batch-size and BATCH_SIZE compare equal.
std::string fold(std::string_view word) {
  std::string folded;
  for (char c : word) {
    if (c == '_' || c == '-') continue;
    folded.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return folded;
}

// Edit distance counting an adjacent transposition as one edit (optimal string alignment).
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates) {
  std::string folded_word = fold(word);
  size_t allowed_edits = std::clamp<size_t>(folded_word.size() / 3, 1, 3);
  std::optional<std::string_view> best;
  size_t best_distance = allowed_edits + 1;
  for (std::string_view candidate : candidates) {
    size_t distance = edit_distance(folded_word, fold(candidate));
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace shardpipe::config
