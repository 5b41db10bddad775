// For tests that compare a committed document with the one generated from the code.
#pragma once

#include <sstream>
#include <string>

namespace shardpipe::testing {

// The first line where `committed` and `generated` differ, to show in a failure without
// printing both documents.
inline std::string first_line_difference(const std::string& committed,
                                         const std::string& generated) {
  std::istringstream a(committed);
  std::istringstream b(generated);
  std::string line_a;
  std::string line_b;
  for (int line = 1;; ++line) {
    bool more_a = static_cast<bool>(std::getline(a, line_a));
    bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) return "they differ only in line endings";
    if (!more_a || !more_b || line_a != line_b) {
      return "first difference at line " + std::to_string(line) +
             ":\n  committed: " + (more_a ? line_a : "<end>") +
             "\n  generated: " + (more_b ? line_b : "<end>");
    }
  }
}

}  // namespace shardpipe::testing
