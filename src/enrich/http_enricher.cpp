#include "enrich/http_enricher.hpp"

#include <fmt/format.h>

#include "enrich/enrichment_answer.hpp"
#include "net/http_client.hpp"
#include "net/url_for_messages.hpp"
#include "targets/http/batch_request.hpp"
#include "targets/http/request_headers.hpp"

namespace shardpipe {
namespace {

struct HttpEnrichmentSettings {
  std::string url;
  std::string url_for_messages;  // without secrets
  std::vector<net::Header> headers;
  std::chrono::milliseconds timeout;
};

class HttpEnricher final : public Enricher {
 public:
  explicit HttpEnricher(std::shared_ptr<const HttpEnrichmentSettings> settings)
      : settings_(std::move(settings)) {}

  Result<std::vector<std::string>> enrich(std::span<const Record> batch) override {
    // The same request as the target's for these records (the same idempotency key too), so the
    // endpoint can recognise a retry.
    auto answer =
        client_.send(batch_post(settings_->url, settings_->headers, settings_->timeout, batch));
    if (!answer) {
      Error error = std::move(answer.error());
      error.message = "the enrichment failed: " + error.message;
      return fail(std::move(error));
    }
    return read_enrichment_answer(answer->status, answer->body, batch.size(),
                                  settings_->url_for_messages);
  }

 private:
  std::shared_ptr<const HttpEnrichmentSettings> settings_;
  net::HttpClient client_;  // this sink's own handle: its keep-alive connection is reused
};

}  // namespace

Result<EnricherFactory> http_enricher_factory(const config::EnrichmentConfig& config) {
  auto settings = std::make_shared<HttpEnrichmentSettings>();
  settings->url = config.url;
  settings->url_for_messages = net::url_for_messages(config.url);
  settings->timeout = config.timeout;
  auto headers = request_headers(config.headers, "enrichment.headers", "the enrichment");
  if (!headers) return fail(std::move(headers.error()));
  settings->headers = std::move(*headers);
  return EnricherFactory(
      [settings](const std::string&) { return std::make_unique<HttpEnricher>(settings); });
}

}  // namespace shardpipe
