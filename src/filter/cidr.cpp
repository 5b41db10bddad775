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

// Dotted-quad IPv4, strictly: four decimal parts of 0 to 255 without leading zeros (what
// inet_pton accepts), parsed here because inet_pton would be the slowest step of a match.
bool parse_ipv4(std::string_view text, std::array<uint8_t, 16>& bytes) {
  size_t i = 0;
  for (size_t part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i == text.size() || text[i] != '.') return false;
      ++i;
    }
    size_t start = i;
    unsigned value = 0;
    while (i < text.size() && i - start < 3 && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      ++i;
    }
    size_t digits = i - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return false;
    bytes[part] = static_cast<uint8_t>(value);
  }
  return i == text.size();
}

// inet_pton needs a terminated string; the longest textual IPv6 address has 45 characters.
bool parse_ipv6(std::string_view text, std::array<uint8_t, 16>& bytes) {
  char buffer[64];
  if (text.size() >= sizeof buffer) return false;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  return inet_pton(AF_INET6, buffer, bytes.data()) == 1;
}

std::optional<Address> parse_address(std::string_view text) {
  Address address;
  address.ipv6 = text.find(':') != std::string_view::npos;
  bool parsed = address.ipv6 ? parse_ipv6(text, address.bytes) : parse_ipv4(text, address.bytes);
  if (!parsed) return std::nullopt;
  return address;
}

// The first `prefix_length` bits set, the others clear.
std::array<uint8_t, 16> mask_of(int prefix_length) {
  std::array<uint8_t, 16> mask{};
  for (int bit = 0; bit < prefix_length; ++bit) {
    mask[bit / 8] |= static_cast<uint8_t>(0x80u >> (bit % 8));
  }
  return mask;
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
  block.mask_ = mask_of(length);
  for (size_t i = 0; i < block.network_.size(); ++i) {
    block.network_[i] = address->bytes[i] & block.mask_[i];
  }
  return block;
}

bool CidrBlock::contains(std::string_view text) const {
  std::optional<Address> address = parse_address(text);
  if (!address || address->ipv6 != ipv6_) return false;
  for (size_t i = 0; i < network_.size(); ++i) {
    if ((address->bytes[i] & mask_[i]) != network_[i]) return false;
  }
  return true;
}

}  // namespace shardpipe::filter::detail
