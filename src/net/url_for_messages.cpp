#include "net/url_for_messages.hpp"

#include <curl/curl.h>

#include <memory>

namespace shardpipe::net {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

}  // namespace

std::string url_for_messages(std::string_view url) {
  static const std::string unparsable = "(a URL that cannot be parsed)";
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (!parsed) return unparsable;
  const std::string text(url);
  if (curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) return unparsable;
  for (CURLUPart secret : {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_QUERY,
                           CURLUPART_FRAGMENT}) {
    if (curl_url_set(parsed.get(), secret, nullptr, 0) != CURLUE_OK) return unparsable;
  }
  char* cleaned = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_URL, &cleaned, 0) != CURLUE_OK) return unparsable;
  std::string result(cleaned);
  curl_free(cleaned);
  return result;
}

}  // namespace shardpipe::net
