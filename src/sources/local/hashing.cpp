#include "sources/local/hashing.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "sources/local/local_log.hpp"

namespace shardpipe::local {
namespace {

// One fetched MD5 implementation and context per thread: fetching and allocating per key would
// cost more than the digest itself.
class Md5 {
 public:
  Md5() : md_(EVP_MD_fetch(nullptr, "MD5", nullptr)), context_(EVP_MD_CTX_new()) {}
  ~Md5() {
    EVP_MD_CTX_free(context_);
    EVP_MD_free(md_);
  }
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;

  std::array<unsigned char, 16> digest(std::string_view bytes) {
    std::array<unsigned char, 16> out{};
    unsigned int length = 0;
    if (md_ == nullptr || context_ == nullptr || EVP_DigestInit_ex2(context_, md_, nullptr) != 1 ||
        EVP_DigestUpdate(context_, bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(context_, out.data(), &length) != 1 || length != out.size()) {
      throw LogError(LogErrorCode::io,
                     "MD5 is not available from OpenSSL: cannot hash partition keys");
    }
    return out;
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* context_;
};

}  // namespace

std::string to_decimal(uint128 value) {
  if (value == 0) {
    return "0";
  }
  std::string digits;
  while (value > 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  }
  std::ranges::reverse(digits);
  return digits;
}

std::optional<uint128> parse_uint128(std::string_view decimal) {
  if (decimal.empty()) {
    return std::nullopt;
  }
  uint128 value = 0;
  for (char c : decimal) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    auto digit = static_cast<unsigned>(c - '0');
    if (value > (detail::max_hash_key - digit) / 10) {
      return std::nullopt;  // would overflow
    }
    value = value * 10 + digit;
  }
  return value;
}

uint128 hash_key(std::string_view partition_key) {
  thread_local Md5 md5;
  uint128 key = 0;
  for (unsigned char byte : md5.digest(partition_key)) {
    key = (key << 8) | byte;
  }
  return key;
}

namespace detail {

std::vector<HashKeyRange> even_hash_ranges(uint64_t count) {
  // 2^128 = count * quotient + remainder, computed without the unrepresentable 2^128.
  uint128 quotient = max_hash_key / count;
  uint128 remainder = max_hash_key % count + 1;
  if (remainder == count) {
    ++quotient;
    remainder = 0;
  }
  auto start_of = [&](uint64_t index) { return quotient * index + remainder * index / count; };
  std::vector<HashKeyRange> ranges;
  ranges.reserve(count);
  for (uint64_t index = 0; index < count; ++index) {
    uint128 end = index + 1 == count ? max_hash_key : start_of(index + 1) - 1;
    ranges.push_back({start_of(index), end});
  }
  return ranges;
}

std::optional<uint128> middle_split_point(const HashKeyRange& range) {
  if (range.starting_hash_key >= range.ending_hash_key) {
    return std::nullopt;
  }
  return range.starting_hash_key + (range.ending_hash_key - range.starting_hash_key) / 2 + 1;
}

}  // namespace detail
}  // namespace shardpipe::local
