#include "config/diagnostics.hpp"

#include <algorithm>
#include <utility>

namespace shardpipe::config {

void Diagnostics::error(const YAML::Mark& mark, std::string message) {
  // yaml-cpp counts from 0 and uses -1 for "no position"; people count from 1.
  int line = mark.line < 0 ? 1 : mark.line + 1;
  int column = mark.column < 0 ? 1 : mark.column + 1;
  errors_.push_back({file_name_, line, column, std::move(message)});
}

std::vector<ConfigError> Diagnostics::take_sorted() {
  std::ranges::stable_sort(errors_, [](const ConfigError& a, const ConfigError& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return std::move(errors_);
}

}  // namespace shardpipe::config
