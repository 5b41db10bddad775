#include "core/json_text.hpp"

#include <openssl/evp.h>
#include <simdjson.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace shardpipe {

namespace {

// True when any of the 8 bytes of `word` needs escaping: a control byte, '"' or '\\'
// (the classic SWAR zero-byte test, applied to word ^ c for each special c).
constexpr uint64_t ones = 0x0101010101010101ull;
constexpr uint64_t highs = 0x8080808080808080ull;
inline bool needs_escape(uint64_t word) {
  uint64_t below_space = (word - ones * 0x20) & ~word & highs;
  uint64_t quote = word ^ (ones * '"');
  uint64_t backslash = word ^ (ones * '\\');
  uint64_t has_quote = (quote - ones) & ~quote & highs;
  uint64_t has_backslash = (backslash - ones) & ~backslash & highs;
  return (below_space | has_quote | has_backslash) != 0;
}

void append_escaped(std::string& out, unsigned char c) {
  static constexpr std::array<char, 16> hex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                               '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  switch (c) {
    case '"':
      out.append("\\\"");
      break;
    case '\\':
      out.append("\\\\");
      break;
    case '\n':
      out.append("\\n");
      break;
    case '\r':
      out.append("\\r");
      break;
    case '\t':
      out.append("\\t");
      break;
    case '\b':
      out.append("\\b");
      break;
    case '\f':
      out.append("\\f");
      break;
    default:
      out.append("\\u00");
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  size_t clean_start = 0;
  size_t i = 0;
  while (i < text.size()) {
    // Skip 8 clean bytes at a time; most text needs no escaping at all.
    if (i + 8 <= text.size()) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if (!needs_escape(word)) {
        i += 8;
        continue;
      }
    }
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(text.substr(clean_start, i - clean_start));
    append_escaped(out, c);
    clean_start = ++i;
  }
  out.append(text.substr(clean_start));
  out.push_back('"');
}

bool is_valid_utf8(std::string_view bytes) {
  return simdjson::validate_utf8(bytes.data(), bytes.size());
}

bool is_valid_json(std::string_view bytes) {
  // One parser per thread: simdjson parsers reuse their buffers between documents.
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(bytes);
  simdjson::dom::element element;
  return parser.parse(padded).get(element) == simdjson::SUCCESS;
}

void append_base64(std::string& out, std::string_view bytes) {
  size_t start = out.size();
  out.resize(start + 4 * ((bytes.size() + 2) / 3) + 1);
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + start),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(start + static_cast<size_t>(written));
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  append_base64(out, bytes);
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0) return false;
  out.resize(3 * text.size() / 4 + 1);
  int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (written < 0) return false;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(written) - padding);
  return true;
}

}  // namespace shardpipe
