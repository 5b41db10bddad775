#include "targets/s3/xml_text.hpp"

#include <charconv>
#include <cstdint>

namespace shardpipe::s3 {
namespace {

void append_utf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// One entity at the start of `text` ("&amp;" ...) decoded into `out`; its length, or 0 when it
// is not one (the '&' is then kept as it is).
size_t decode_entity(std::string_view text, std::string& out) {
  const size_t end = text.find(';');
  if (end == std::string_view::npos || end > 12) return 0;
  const auto name = text.substr(1, end - 1);
  if (name == "amp") {
    out += '&';
  } else if (name == "lt") {
    out += '<';
  } else if (name == "gt") {
    out += '>';
  } else if (name == "quot") {
    out += '"';
  } else if (name == "apos") {
    out += '\'';
  } else if (name.starts_with('#') && name.size() > 1) {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    const auto digits = name.substr(hex ? 2 : 1);
    uint32_t code_point = 0;
    auto [rest, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), code_point, hex ? 16 : 10);
    if (error != std::errc() || rest != digits.data() + digits.size() || code_point > 0x10FFFF) {
      return 0;
    }
    append_utf8(out, code_point);
  } else {
    return 0;
  }
  return end + 1;
}

std::string decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      if (size_t length = decode_entity(text.substr(i), out); length > 0) {
        i += length - 1;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace

std::optional<std::string> xml_element_text(std::string_view xml, std::string_view name) {
  const std::string open = "<" + std::string(name);
  for (size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at + 1)) {
    const size_t after_name = at + open.size();
    if (after_name >= xml.size()) return std::nullopt;
    const char next = xml[after_name];
    // "<Code>" or "<Code attr=...>", not "<CodeName>".
    if (next != '>' && next != ' ' && next != '/' && next != '\t' && next != '\n' && next != '\r')
      continue;
    const size_t tag_end = xml.find('>', after_name);
    if (tag_end == std::string_view::npos) return std::nullopt;
    if (xml[tag_end - 1] == '/') return std::string();  // <Code/>
    const std::string close = "</" + std::string(name) + ">";
    const size_t content_end = xml.find(close, tag_end + 1);
    if (content_end == std::string_view::npos) return std::nullopt;
    return decoded(xml.substr(tag_end + 1, content_end - tag_end - 1));
  }
  return std::nullopt;
}

std::string xml_escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace shardpipe::s3
