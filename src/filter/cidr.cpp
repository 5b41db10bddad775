#include "filter/cidr.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>

namespace shardpipe::filter::detail {
namespace {

struct Address {
  bool ipv6 = false;
  std::array<uint8_t, 16> bytes{};
};

// inet_pton needs a terminated string; the longest textual IPv6 address has 45 characters.
std::optional<Address> parse_address(std::string_view text) {
  char buffer[64];
  if (text.empty() || text.size() >= sizeof buffer) return std::nullopt;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  Address address;
  address.ipv6 = text.find(':') != std::string_view::npos;
  int family = address.ipv6 ? AF_INET6 : AF_INET;
  if (inet_pton(family, buffer, address.bytes.data()) != 1) return std::nullopt;
  return address;
}

// Clears every bit after the first `prefix_length` bits.
void clear_host_bits(std::array<uint8_t, 16>& bytes, int prefix_length) {
  for (int bit = prefix_length; bit < 128; ++bit) {
    bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
}

}  // namespace

std::expected<CidrBlock, std::string> CidrBlock::parse(std::string_view text) {
  size_t slash = text.find('/');
  std::optional<Address> address;
  if (slash != std::string_view::npos) address = parse_address(text.substr(0, slash));
  if (!address) {
    return std::unexpected(
        "cidr needs an IPv4 or IPv6 block with a prefix length, such as 10.0.0.0/24 or "
        "2001:db8::/32");
  }
  std::string_view length_text = text.substr(slash + 1);
  int length = -1;
  auto [end, error] =
      std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  int max_length = address->ipv6 ? 128 : 32;
  if (length_text.empty() || error != std::errc{} ||
      end != length_text.data() + length_text.size() || length < 0 || length > max_length) {
    return std::unexpected("the prefix length of a cidr block must be a number from 0 to " +
                           std::to_string(max_length));
  }
  CidrBlock block;
  block.ipv6_ = address->ipv6;
  block.prefix_length_ = length;
  block.network_ = address->bytes;
  clear_host_bits(block.network_, length);
  return block;
}

bool CidrBlock::contains(std::string_view text) const {
  std::optional<Address> address = parse_address(text);
  if (!address || address->ipv6 != ipv6_) return false;
  clear_host_bits(address->bytes, prefix_length_);
  return address->bytes == network_;
}

}  // namespace shardpipe::filter::detail
