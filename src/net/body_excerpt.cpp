#include "net/body_excerpt.hpp"

#include "core/json_text.hpp"

namespace shardpipe::net {

std::string body_excerpt(std::string_view body, size_t limit) {
  const bool cut = body.size() > limit;
  std::string_view start = body.substr(0, limit);
  std::string excerpt;
  excerpt.reserve(start.size() + 3);
  for (char c : start) {
    const auto byte = static_cast<unsigned char>(c);
    const bool control = byte < 0x20 || byte == 0x7f;
    if (control || c == ' ') {
      if (!excerpt.empty() && excerpt.back() != ' ') excerpt.push_back(' ');
    } else {
      excerpt.push_back(c);
    }
  }
  while (!excerpt.empty() && excerpt.back() == ' ') excerpt.pop_back();
  // Cutting may split a character, and the peer may not send UTF-8 at all.
  if (!is_valid_utf8(excerpt)) {
    for (char& c : excerpt) {
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
    }
  }
  if (cut) excerpt += "...";
  return excerpt;
}

}  // namespace shardpipe::net
