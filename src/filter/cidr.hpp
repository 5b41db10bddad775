// The `cidr` matcher: an IPv4 or IPv6 block, parsed once into address bytes and a prefix length.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace shardpipe::filter::detail {

class CidrBlock {
 public:
  // "10.0.0.0/24", "2001:db8::/32". The error says what is wrong with `text`.
  static std::expected<CidrBlock, std::string> parse(std::string_view text);

  // True when `address` is an IP address of the same family inside the block.
  bool contains(std::string_view address) const;

 private:
  bool ipv6_ = false;
  std::array<uint8_t, 16> mask_{};     // the prefix length's bits set
  std::array<uint8_t, 16> network_{};  // host bits cleared
};

}  // namespace shardpipe::filter::detail
