#include "targets/http/http_target.hpp"

#include <fmt/format.h>

#include "net/http_client.hpp"
#include "targets/http/batch_request.hpp"
#include "targets/http/partial_response.hpp"
#include "targets/http/request_headers.hpp"

namespace shardpipe {
namespace {

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
    auto answer =
        client_.send(batch_post(settings_->url, settings_->headers, settings_->timeout, batch));
    if (!answer) return DeliveryOutcome::failed(std::move(answer.error()));
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
  auto headers = request_headers(config.headers, "target.headers", "the http target");
  if (!headers) return fail(std::move(headers.error()));
  settings->headers = std::move(*headers);
  return std::make_unique<HttpTarget>(std::move(settings));
}

}  // namespace shardpipe
