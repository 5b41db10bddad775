#include "targets/http/http_target.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "net/environment.hpp"
#include "net/http_client.hpp"
#include "targets/http/batch_request.hpp"
#include "targets/http/partial_response.hpp"

namespace shardpipe {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Headers the target sets itself for every batch (Content-Type may be replaced).
constexpr std::array<std::string_view, 4> reserved_headers = {"Content-Length", "Idempotency-Key",
                                                              "Transfer-Encoding", "Expect"};

struct HttpSettings {
  std::string url;
  std::vector<net::Header> headers;  // Content-Type first, then the configured ones
  std::chrono::milliseconds timeout;
};

class HttpSink final : public ShardSink {
 public:
  explicit HttpSink(std::shared_ptr<const HttpSettings> settings)
      : settings_(std::move(settings)) {}

  DeliveryOutcome deliver(std::span<const Record> batch) override {
    if (batch.empty()) return {};
    net::Request request{.method = "POST",
                         .url = settings_->url,
                         .headers = settings_->headers,
                         .body = batch_body(batch),
                         .timeout = settings_->timeout};
    request.headers.push_back({"Idempotency-Key", idempotency_key(batch)});
    auto answer = client_.send(request);
    if (!answer) {
      DeliveryOutcome outcome;
      outcome.error = std::move(answer.error());
      return outcome;
    }
    return interpret_answer(answer->status, answer->body, batch);
  }
  DeliveryOutcome flush() override { return {}; }
  size_t pending() const override { return 0; }

 private:
  std::shared_ptr<const HttpSettings> settings_;
  net::HttpClient client_;  // this shard's own handle, so its keep-alive connection is reused
};

class HttpTarget final : public Target {
 public:
  explicit HttpTarget(std::shared_ptr<const HttpSettings> settings)
      : settings_(std::move(settings)) {}
  Result<std::unique_ptr<ShardSink>> open_shard(const std::string&) override {
    return std::make_unique<HttpSink>(settings_);
  }

 private:
  std::shared_ptr<const HttpSettings> settings_;
};

}  // namespace

Result<std::unique_ptr<Target>> make_http_target(const config::TargetConfig& config) {
  auto settings = std::make_shared<HttpSettings>();
  settings->url = config.url;
  settings->timeout = config.timeout;
  bool content_type_configured = false;
  for (const auto& [name, value] : config.headers) {
    // Messages name the header, never its value: it may be a token.
    auto expanded = net::expand_environment(value);
    if (!expanded) {
      return fail(
          Error::fatal(fmt::format("target.headers.{}: {}", name, expanded.error().message)));
    }
    for (auto reserved : reserved_headers) {
      if (same_name(name, reserved)) {
        return fail(Error::fatal(fmt::format(
            "target.headers.{}: the http target sets this header itself; remove it", name)));
      }
    }
    net::Header header{name, std::move(*expanded)};
    if (!net::valid_header(header)) {
      return fail(Error::fatal(fmt::format(
          "target.headers.{}: not a valid header name, or its value holds a line break", name)));
    }
    content_type_configured = content_type_configured || same_name(name, "Content-Type");
    settings->headers.push_back(std::move(header));
  }
  if (!content_type_configured) {
    settings->headers.insert(settings->headers.begin(), {"Content-Type", "application/json"});
  }
  return std::make_unique<HttpTarget>(std::move(settings));
}

}  // namespace shardpipe
