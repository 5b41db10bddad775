#include "net/environment.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace shardpipe::net {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  for (char c : name) {
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    bool digit = c >= '0' && c <= '9';
    if (!letter && !digit && c != '_') return false;
  }
  return true;
}

}  // namespace

Result<std::string> expand_environment(std::string_view text) {
  std::string expanded;
  expanded.reserve(text.size());
  size_t at = 0;
  while (true) {
    size_t start = text.find("${", at);
    if (start == std::string_view::npos) break;
    expanded.append(text.substr(at, start - at));
    size_t end = text.find('}', start + 2);
    if (end == std::string_view::npos) {
      return fail(Error::fatal("an environment reference ${ is not closed by }"));
    }
    std::string name(text.substr(start + 2, end - start - 2));
    if (!valid_name(name)) {
      return fail(Error::fatal(fmt::format(
          "'${{{}}}' is not a valid environment reference: a name is letters, digits and _",
          name)));
    }
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      return fail(Error::fatal(fmt::format("environment variable {} is not set", name)));
    }
    expanded.append(value);
    at = end + 1;
  }
  expanded.append(text.substr(at));
  return expanded;
}

}  // namespace shardpipe::net
