// Standard base64 (with padding) to bytes, for the data of envelopes and dead letters. Throws on
// a character outside the alphabet.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace shardpipe::testing {

inline std::string decode_base64(const std::string& text) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    auto at = alphabet.find(c);
    if (at == std::string::npos) throw std::runtime_error("not base64: " + text);
    buffer = (buffer << 6) | static_cast<uint32_t>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace shardpipe::testing
