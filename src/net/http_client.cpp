#include "net/http_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <array>
#include <cstring>

#include "core/ascii_case.hpp"
#include "net/curl_share.hpp"
#include "net/url_for_messages.hpp"

namespace shardpipe::net {
namespace {

// Far beyond any partial batch response; stops a misbehaving peer from filling memory.
constexpr size_t maximum_answer_bytes = 64ull * 1024 * 1024;

struct AnswerBuffer {
  std::string body;
  bool too_large = false;
};

size_t append_answer(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<AnswerBuffer*>(user);
  const size_t bytes = size * count;
  if (answer->body.size() + bytes > maximum_answer_bytes) {
    answer->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  answer->body.append(data, bytes);
  return bytes;
}

// Collects the answer's header lines; a new status line (after "100 Continue") starts afresh, so
// only the final answer's headers remain.
size_t collect_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::vector<Header>*>(user);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    headers->clear();
  } else if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    headers->push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  return bytes;
}

struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, HeaderListDeleter>;

bool token_character(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

}  // namespace

struct HttpClient::Handle {
  CURL* easy = nullptr;
  std::array<char, CURL_ERROR_SIZE> error_text{};

  Handle() : easy(curl_easy_init()) {}
  ~Handle() {
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

bool valid_header(const Header& header) {
  if (header.name.empty()) return false;
  for (char c : header.name) {
    if (!token_character(c)) return false;
  }
  return header.value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

HttpClient::HttpClient() {
  CURLSH* share = static_cast<CURLSH*>(shared_curl_state());
  if (share == nullptr) return;  // send() reports it
  auto handle = std::make_unique<Handle>();
  if (handle->easy == nullptr) return;
  CURL* easy = handle->easy;
  // Options that hold for every request of this client.
  curl_easy_setopt(easy, CURLOPT_SHARE, share);
  // Time-outs without SIGALRM, since shards are threads. libcurl then leaves SIGPIPE alone: the
  // process ignores it (cli/main.cpp), as a TLS write to a closed connection could raise it.
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, handle->error_text.data());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append_answer);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, collect_header);
  handle_ = std::move(handle);
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

Result<Response> HttpClient::send(const Request& request) {
  const auto where = fmt::format("{} {}", request.method, url_for_messages(request.url));
  if (!handle_) {
    return fail(Error::retriable(where + ": libcurl could not be initialised"));
  }
  CURL* easy = handle_->easy;

  HeaderList headers;
  auto add_header = [&](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown == nullptr) return false;
    (void)headers.release();  // now owned by `grown`
    headers.reset(grown);
    return true;
  };
  for (const auto& header : request.headers) {
    // The name only: the value may be a secret.
    if (!valid_header(header)) {
      return fail(
          Error::permanent(fmt::format("{}: header '{}' has an invalid name or a line "
                                       "break in its value",
                                       where, header.name)));
    }
    // "Name;" is libcurl's way of sending a header whose value is empty.
    if (!add_header(header.value.empty() ? header.name + ";" : header.name + ": " + header.value))
      return fail(Error::retriable(where + ": out of memory"));
  }
  // A POST body goes at once: waiting for "100 Continue" only adds a round trip.
  if (!request.body.empty() || request.method == "POST") {
    if (!add_header("Expect:")) return fail(Error::retriable(where + ": out of memory"));
  }

  // Options that change from one request to the next are all set here, so nothing carries over.
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  // Cleared first: turning it off makes the request a GET, which the lines below then adjust.
  curl_easy_setopt(easy, CURLOPT_NOBODY, 0L);
  if (request.method == "HEAD") {
    // A HEAD answer announces a body that never comes: libcurl must not wait for it.
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, nullptr);
  } else if (request.method == "GET" && request.body.empty()) {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, nullptr);
  } else {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST,
                     request.method == "POST" ? nullptr : request.method.c_str());
  }
  AnswerBuffer answer;
  std::vector<Header> answer_headers;
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &answer_headers);
  handle_->error_text[0] = '\0';

  const CURLcode code = curl_easy_perform(easy);
  // Nothing of this request may outlive it inside the reused handle.
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, nullptr);

  if (code != CURLE_OK) {
    if (answer.too_large) {
      return fail(Error::retriable(
          fmt::format("{}: the answer is larger than {} MiB", where, maximum_answer_bytes >> 20)));
    }
    std::string reason = curl_easy_strerror(code);
    if (handle_->error_text[0] != '\0') reason += fmt::format(" ({})", handle_->error_text.data());
    if (code == CURLE_OPERATION_TIMEDOUT) {
      reason = fmt::format("no answer within {} ms: {}", request.timeout.count(), reason);
    }
    return fail(Error::retriable(fmt::format("{}: {}", where, reason)));
  }
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  return Response{.status = static_cast<int>(status),
                  .body = std::move(answer.body),
                  .headers = std::move(answer_headers)};
}

const std::string* Response::header(std::string_view name) const {
  const std::string wanted = ascii_lowered(name);
  for (const auto& candidate : headers) {
    if (ascii_lowered(candidate.name) == wanted) return &candidate.value;
  }
  return nullptr;
}

}  // namespace shardpipe::net
