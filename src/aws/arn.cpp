#include "aws/arn.hpp"

#include <array>

namespace shardpipe::aws {

std::optional<Arn> parse_arn(std::string_view text) {
  if (!text.starts_with("arn:")) return std::nullopt;
  // The resource is the rest of the text: it may hold colons itself.
  std::array<std::string_view, 5> parts;
  size_t at = 0;
  for (auto& part : parts) {
    const size_t colon = text.find(':', at);
    if (colon == std::string_view::npos) return std::nullopt;
    part = text.substr(at, colon - at);
    at = colon + 1;
  }
  return Arn{.partition = std::string(parts[1]),
             .service = std::string(parts[2]),
             .region = std::string(parts[3]),
             .account = std::string(parts[4]),
             .resource = std::string(text.substr(at))};
}

}  // namespace shardpipe::aws
