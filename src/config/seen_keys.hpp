// Where each key of the pipe file was found, so that messages about missing keys and rules across
// keys can point at the right line.
#pragma once

#include <yaml-cpp/mark.h>

#include <map>
#include <string>
#include <string_view>

namespace shardpipe::config {

struct SeenKey {
  YAML::Mark key;
  YAML::Mark value;
  bool has_value = false;  // false for `key:` or `key: null`, which count as absent
  bool stored = false;     // the value was valid and is in PipeConfig
};

class SeenKeys {
 public:
  // `dotted` is "source.batch_size", or "name" for the top level.
  SeenKey& add(const std::string& dotted, const YAML::Mark& key, const YAML::Mark& value,
               bool has_value) {
    return keys_[dotted] = SeenKey{key, value, has_value, false};
  }
  const SeenKey* find(std::string_view dotted) const {
    auto found = keys_.find(dotted);
    return found == keys_.end() ? nullptr : &found->second;
  }
  // Written with a value, valid or not.
  bool given(std::string_view dotted) const {
    const SeenKey* key = find(dotted);
    return key && key->has_value;
  }
  // Either not written (the default holds) or written with a valid value.
  bool usable(std::string_view dotted) const {
    const SeenKey* key = find(dotted);
    return !key || !key->has_value || key->stored;
  }

 private:
  std::map<std::string, SeenKey, std::less<>> keys_;
};

}  // namespace shardpipe::config
