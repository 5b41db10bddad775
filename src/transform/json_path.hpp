// The paths of input-template placeholders, as EventBridge supports them: "$" for the whole
// record, ".name" members (letters, digits, '-', '_', '/' and other non-special characters),
// "[n]" array indices, and the wildcards ".*" and "[*]".
#pragma once

#include <simdjson.h>

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace shardpipe::transform::detail {

class JsonPath {
 public:
  // `text` starts with '$'. The error says what is wrong and at which character of the path.
  static std::expected<JsonPath, std::string> parse(std::string_view text);

  bool has_wildcard() const { return has_wildcard_; }

  // Appends every value the path selects in `root`, in document order (at most one without
  // wildcards; none when the path does not exist in the record).
  void select(simdjson::dom::element root, std::vector<simdjson::dom::element>& out) const;

 private:
  struct Step {
    enum class Kind { member, index, any_member, any_element };
    Kind kind = Kind::member;
    std::string name;  // member
    size_t index = 0;  // index
  };

  void select_from(simdjson::dom::element value, size_t step,
                   std::vector<simdjson::dom::element>& out) const;

  std::vector<Step> steps_;
  bool has_wildcard_ = false;
};

}  // namespace shardpipe::transform::detail
