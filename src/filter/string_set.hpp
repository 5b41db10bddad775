// A set of exact strings to match: a linear scan while it is small (faster than hashing a few
// entries), a hash set once it grows.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "filter/same_bytes.hpp"

namespace shardpipe::filter::detail {

class StringSet {
 public:
  void insert(std::string value) {
    if (contains(value)) return;
    if (!large_.empty() || small_.size() == kSmallLimit) {
      large_.insert(small_.begin(), small_.end());
      small_.clear();
      large_.insert(std::move(value));
      return;
    }
    small_.push_back(std::move(value));
  }

  bool contains(std::string_view value) const {
    if (!large_.empty()) return large_.contains(value);
    for (const std::string& item : small_) {
      if (same_text(item, value)) return true;
    }
    return false;
  }

  bool empty() const { return small_.empty() && large_.empty(); }

 private:
  static constexpr size_t kSmallLimit = 8;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  std::vector<std::string> small_;
  std::unordered_set<std::string, Hash, std::equal_to<>> large_;
};

}  // namespace shardpipe::filter::detail
