#include "targets/http/request_headers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "net/environment.hpp"

namespace shardpipe {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Headers set for every batch by the sender itself (Content-Type may be replaced).
constexpr std::array<std::string_view, 4> reserved_headers = {"Content-Length", "Idempotency-Key",
                                                              "Transfer-Encoding", "Expect"};

}  // namespace

Result<std::vector<net::Header>> request_headers(
    const std::map<std::string, std::string>& configured, std::string_view key,
    std::string_view sender) {
  std::vector<net::Header> headers;
  bool content_type_configured = false;
  for (const auto& [name, value] : configured) {
    auto expanded = net::expand_environment(value);
    if (!expanded) {
      return fail(Error::fatal(fmt::format("{}.{}: {}", key, name, expanded.error().message)));
    }
    for (auto reserved : reserved_headers) {
      if (same_name(name, reserved)) {
        return fail(Error::fatal(
            fmt::format("{}.{}: {} sets this header itself; remove it", key, name, sender)));
      }
    }
    net::Header header{name, std::move(*expanded)};
    if (!net::valid_header(header)) {
      return fail(Error::fatal(fmt::format(
          "{}.{}: not a valid header name, or its value holds a line break", key, name)));
    }
    content_type_configured = content_type_configured || same_name(name, "Content-Type");
    headers.push_back(std::move(header));
  }
  if (!content_type_configured)
    headers.insert(headers.begin(), {"Content-Type", "application/json"});
  return headers;
}

}  // namespace shardpipe
