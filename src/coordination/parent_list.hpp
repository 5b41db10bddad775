// A shard's parent ids as one column: comma-separated (shard ids never hold commas).
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace shardpipe::coordination {

inline std::string join_parent_ids(const std::vector<std::string>& parents) {
  std::string out;
  for (const auto& parent : parents) {
    if (!out.empty()) out.push_back(',');
    out += parent;
  }
  return out;
}

inline std::vector<std::string> split_parent_ids(const std::string& text) {
  std::vector<std::string> parents;
  std::stringstream stream(text);
  for (std::string parent; std::getline(stream, parent, ',');) {
    if (!parent.empty()) parents.push_back(parent);
  }
  return parents;
}

}  // namespace shardpipe::coordination
