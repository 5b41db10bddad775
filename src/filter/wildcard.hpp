// The `wildcard` matcher: '*' stands for any run of characters (also none); "\*" is a literal
// star and "\\" a literal backslash. A backslash before anything else, and two stars in a row,
// are invalid, as in EventBridge.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace shardpipe::filter::detail {

class WildcardPattern {
 public:
  // The error is a sentence that names the offending character's position (counted from 1).
  static std::expected<WildcardPattern, std::string> parse(std::string_view pattern);

  bool matches(std::string_view value) const;

 private:
  // The literal pieces between the stars: pattern = pieces[0] * pieces[1] * ... * pieces[n].
  // One piece means no star at all (an exact comparison).
  std::vector<std::string> pieces_;
};

}  // namespace shardpipe::filter::detail
