#include "aws/sigv4.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace shardpipe::aws {
namespace {

using Digest = std::array<unsigned char, 32>;

std::string hex(const unsigned char* data, size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xF];
  }
  return out;
}

Digest hmac(std::string_view key, std::string_view data) {
  Digest out{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &length) == nullptr ||
      length != out.size()) {
    // Only an OpenSSL without SHA-256 gets here: nothing could be signed at all.
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return out;
}

std::string_view as_text(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

struct UtcTime {
  std::string date;       // 20150830
  std::string timestamp;  // 20150830T123600Z
};

UtcTime utc(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto seconds = floor<std::chrono::seconds>(time);
  const auto day = floor<days>(seconds);
  const year_month_day ymd{day};
  const hh_mm_ss clock{seconds - day};
  UtcTime out;
  out.date = fmt::format("{:04}{:02}{:02}", static_cast<int>(ymd.year()),
                         static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  out.timestamp = fmt::format("{}T{:02}{:02}{:02}Z", out.date, clock.hours().count(),
                              clock.minutes().count(), clock.seconds().count());
  return out;
}

std::string credential_scope(const SigningScope& scope) {
  return fmt::format("{}/{}/{}/aws4_request", utc(scope.time).date, scope.region, scope.service);
}

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

struct UrlParts {
  std::string authority;  // host[:port], without user information
  std::string path;
  std::string query;
};

UrlParts split_url(std::string_view url) {
  UrlParts parts;
  if (const size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
  }
  if (const size_t fragment = url.find('#'); fragment != std::string_view::npos) {
    url = url.substr(0, fragment);
  }
  const size_t authority_end = url.find_first_of("/?");
  auto authority = url.substr(0, authority_end);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  parts.authority = std::string(authority);
  if (authority_end == std::string_view::npos) return parts;
  auto rest = url.substr(authority_end);
  const size_t question = rest.find('?');
  parts.path = std::string(rest.substr(0, question));
  if (question != std::string_view::npos) parts.query = std::string(rest.substr(question + 1));
  return parts;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return hex(digest, length);
}

std::string string_to_sign(std::string_view canonical_request, const SigningScope& scope) {
  return fmt::format("AWS4-HMAC-SHA256\n{}\n{}\n{}", utc(scope.time).timestamp,
                     credential_scope(scope), sha256_hex(canonical_request));
}

std::string signature(std::string_view string_to_sign, std::string_view secret_access_key,
                      const SigningScope& scope) {
  // The key is derived from the secret through the scope, so a leaked signing key is only good
  // for one day, region and service.
  const auto date_key = hmac(std::string("AWS4").append(secret_access_key), utc(scope.time).date);
  const auto region_key = hmac(as_text(date_key), scope.region);
  const auto service_key = hmac(as_text(region_key), scope.service);
  const auto signing_key = hmac(as_text(service_key), "aws4_request");
  const auto signed_text = hmac(as_text(signing_key), string_to_sign);
  return hex(signed_text.data(), signed_text.size());
}

std::string authorization_header(const CanonicalInput& input, const Credentials& credentials,
                                 const SigningScope& scope) {
  const auto to_sign = string_to_sign(canonical_request(input), scope);
  return fmt::format("AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={}, Signature={}",
                     credentials.access_key_id, credential_scope(scope),
                     signed_headers(input.headers),
                     signature(to_sign, credentials.secret_access_key, scope));
}

void sign_request(net::Request& request, const Credentials& credentials,
                  const SigningScope& scope) {
  const bool s3 = scope.service == "s3";
  // Whatever an earlier signing left is replaced, so a request can be signed again for a retry.
  std::erase_if(request.headers, [&](const net::Header& header) {
    return same_name(header.name, "Authorization") || same_name(header.name, "X-Amz-Date") ||
           same_name(header.name, "X-Amz-Security-Token") ||
           (s3 && same_name(header.name, "x-amz-content-sha256"));
  });

  const auto url = split_url(request.url);
  const bool has_host = std::any_of(request.headers.begin(), request.headers.end(),
                                    [](const net::Header& h) { return same_name(h.name, "Host"); });
  // libcurl sends a Host header given to it in place of its own, so the signed one is the one
  // that goes out.
  if (!has_host) request.headers.push_back({"Host", url.authority});
  request.headers.push_back({"X-Amz-Date", utc(scope.time).timestamp});
  // Signed like the SDKs do, so the token cannot be swapped on the way.
  if (!credentials.session_token.empty()) {
    request.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  }
  const auto payload_hash = sha256_hex(request.body);
  if (s3) request.headers.push_back({"x-amz-content-sha256", payload_hash});

  const CanonicalInput input{.method = request.method,
                             .path = url.path.empty() ? "/" : url.path,
                             .query = url.query,
                             .headers = request.headers,
                             .payload_hash = payload_hash,
                             .normalize_path = !s3};
  request.headers.push_back({"Authorization", authorization_header(input, credentials, scope)});
}

}  // namespace shardpipe::aws
