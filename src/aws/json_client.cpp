#include "aws/json_client.hpp"

#include <fmt/format.h>

#include <thread>

#include "aws/error_answer.hpp"
#include "aws/sigv4.hpp"
#include "core/backoff.hpp"
#include "net/body_excerpt.hpp"
#include "net/http_client.hpp"

namespace shardpipe::aws {
namespace {

constexpr size_t message_limit = 300;

// "Kinesis_20131202" -> "Kinesis", for messages such as "Kinesis GetRecords: ...".
std::string service_label(const ServiceEndpoint& endpoint) {
  const auto prefix = std::string_view(endpoint.target_prefix);
  const auto label = prefix.substr(0, prefix.find('_'));
  return std::string(label.empty() ? std::string_view(endpoint.service) : label);
}

void erase_all(std::string& text, std::string_view secret) {
  if (secret.empty()) return;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "<redacted>");
  }
}

// AWS's message as one short line. A signature mismatch explains itself with the canonical
// request, which holds the session token: that part is cut, and the secrets are blotted out
// before anything is shortened, so no piece of one can remain.
std::string safe_message(std::string text, const Credentials& credentials) {
  erase_all(text, credentials.secret_access_key);
  erase_all(text, credentials.session_token);
  if (const size_t canonical = text.find("The Canonical String"); canonical != std::string::npos) {
    text.erase(canonical);
  }
  return net::body_excerpt(text, message_limit);
}

}  // namespace

std::string endpoint_url(std::string_view host_prefix, std::string_view region,
                         std::string_view override_url) {
  if (!override_url.empty()) return std::string(override_url);
  const bool china = region.starts_with("cn-");
  return fmt::format("https://{}.{}.amazonaws.com{}", host_prefix, region, china ? ".cn" : "");
}

struct JsonClient::State {
  ServiceEndpoint endpoint;
  Credentials credentials;
  RetryOptions retry;
  net::HttpClient http;
  std::string label;  // "Kinesis"
  std::string url;    // endpoint.url with the path "/"
};

JsonClient::JsonClient(ServiceEndpoint endpoint, Credentials credentials, RetryOptions retry)
    : state_(std::make_unique<State>()) {
  state_->label = service_label(endpoint);
  state_->url = endpoint.url;
  if (!state_->url.ends_with('/')) state_->url += '/';
  state_->endpoint = std::move(endpoint);
  state_->credentials = std::move(credentials);
  state_->retry = retry;
}

JsonClient::~JsonClient() = default;
JsonClient::JsonClient(JsonClient&&) noexcept = default;
JsonClient& JsonClient::operator=(JsonClient&&) noexcept = default;

const ServiceEndpoint& JsonClient::endpoint() const {
  return state_->endpoint;
}

AwsResult<std::string> JsonClient::call(std::string_view operation, std::string_view json_body) {
  auto& state = *state_;
  const auto where = fmt::format("{} {}", state.label, operation);
  const int attempts = std::max(1, state.retry.max_attempts);
  Backoff backoff(state.retry.backoff_initial, state.retry.backoff_max);
  AwsError last;

  for (int attempt = 1;; ++attempt) {
    net::Request request{
        .method = "POST",
        .url = state.url,
        .headers = {{"Content-Type", "application/x-amz-json-" + state.endpoint.json_version},
                    {"X-Amz-Target",
                     fmt::format("{}.{}", state.endpoint.target_prefix, operation)}},
        .body = std::string(json_body),
        .timeout = state.retry.request_timeout};
    // Signed again for every attempt: the signature carries the time, and AWS refuses one more
    // than five minutes old.
    sign_request(request, state.credentials,
                 {state.endpoint.region, state.endpoint.service, std::chrono::system_clock::now()});

    auto answer = state.http.send(request);
    if (!answer) {
      // The client's message names method and URL, never a header.
      last = {"", Error::retriable(fmt::format("{}: {}", where, answer.error().message))};
    } else if (answer->status >= 200 && answer->status < 300) {
      return std::move(answer->body);
    } else {
      const auto parsed = parse_error_answer(answer->body);
      const auto kind = classify_error(answer->status, parsed.code);
      std::string text;
      if (!parsed.code.empty()) {
        text = parsed.message.empty()
                   ? fmt::format("{}: {} (HTTP {})", where, parsed.code, answer->status)
                   : fmt::format("{}: {}: {}", where, parsed.code,
                                 safe_message(parsed.message, state.credentials));
      } else {
        text = fmt::format("{}: HTTP {}: {}", where, answer->status,
                           safe_message(answer->body, state.credentials));
      }
      last = {parsed.code, Error{kind, std::move(text), answer->status}};
      if (kind != ErrorClass::retriable) return std::unexpected(std::move(last));
    }
    if (attempt >= attempts) break;
    std::this_thread::sleep_for(backoff.next());
  }
  if (attempts > 1) last.error.message += fmt::format(" (gave up after {} attempts)", attempts);
  return std::unexpected(std::move(last));
}

}  // namespace shardpipe::aws
