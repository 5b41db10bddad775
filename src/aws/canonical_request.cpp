// The canonical request of SigV4: method, path, query, headers and payload hash in the one form
// that AWS recomputes on its side; a single byte of difference is a signature mismatch.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "aws/sigv4.hpp"
#include "core/ascii_case.hpp"

namespace shardpipe::aws {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes decoded; anything else (a stray '%', a '+') kept as it is.
std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// RFC 3986 dot-segment removal plus empty segments dropped ("//a//" is "/a/"), as every service
// but S3 expects; the trailing slash survives.
std::string normalized_path(std::string_view path) {
  std::vector<std::string_view> segments;
  bool trailing_slash = false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const auto segment = path.substr(start, end - start);
    const bool last = end == path.size();
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (last) trailing_slash = segment.empty() || segment == "." || segment == "..";
    start = end + 1;
  }
  std::string out;
  for (const auto& segment : segments) {
    out += '/';
    out += segment;
  }
  if (out.empty() || trailing_slash) out += '/';
  return out;
}

std::string canonical_path(std::string_view path, bool normalize) {
  if (path.empty()) return "/";
  // Services other than S3 encode the path as sent once more; S3 wants it encoded exactly once,
  // whether the caller sent "$" or "%24".
  if (normalize) return uri_encode(normalized_path(path), true);
  return uri_encode(percent_decode(path), true);
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> parameters;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const auto parameter = query.substr(start, end - start);
    if (!parameter.empty()) {
      const size_t equals = parameter.find('=');
      const auto name = parameter.substr(0, equals);
      const auto value =
          equals == std::string_view::npos ? std::string_view{} : parameter.substr(equals + 1);
      parameters.emplace_back(uri_encode(percent_decode(name), false),
                              uri_encode(percent_decode(value), false));
    }
    start = end + 1;
  }
  std::sort(parameters.begin(), parameters.end());
  std::string out;
  for (const auto& [name, value] : parameters) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

// Leading and trailing blanks removed, inner runs of blanks made one space ("a   b" -> "a b").
std::string trimmed_value(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// Lower-case name -> values joined by ',' in the order they came (a repeated header).
std::map<std::string, std::string> canonical_headers(const std::vector<net::Header>& headers) {
  std::map<std::string, std::string> out;
  for (const auto& header : headers) {
    auto [it, added] = out.try_emplace(ascii_lowered(header.name), trimmed_value(header.value));
    if (!added) {
      it->second += ',';
      it->second += trimmed_value(header.value);
    }
  }
  return out;
}

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xF];
    }
  }
  return out;
}

std::string signed_headers(const std::vector<net::Header>& headers) {
  std::string out;
  for (const auto& [name, value] : canonical_headers(headers)) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

std::string canonical_request(const CanonicalInput& input) {
  std::string out = input.method;
  out += '\n';
  out += canonical_path(input.path, input.normalize_path);
  out += '\n';
  out += canonical_query(input.query);
  out += '\n';
  for (const auto& [name, value] : canonical_headers(input.headers)) {
    out += name;
    out += ':';
    out += value;
    out += '\n';
  }
  out += '\n';
  out += signed_headers(input.headers);
  out += '\n';
  out += input.payload_hash;
  return out;
}

}  // namespace shardpipe::aws
