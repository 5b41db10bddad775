#include "targets/dead_letter/http_dead_letters.hpp"

#include <fmt/format.h>

#include <mutex>

#include "core/clock.hpp"
#include "net/body_excerpt.hpp"
#include "net/http_client.hpp"
#include "net/url_for_messages.hpp"
#include "targets/http/batch_request.hpp"

namespace shardpipe {
namespace {

class HttpDeadLetters final : public DeadLetterDestination {
 public:
  HttpDeadLetters(std::string url, std::string pipe, std::chrono::milliseconds timeout)
      : url_(std::move(url)), pipe_(std::move(pipe)), timeout_(timeout) {}

  Status write(std::span<const DeadLetter> letters) override {
    if (letters.empty()) return {};
    const int64_t now = unix_now_ms();
    std::string body = "[";
    std::vector<Record> identities;  // for the idempotency key: the same entries, the same key
    identities.reserve(letters.size());
    for (const auto& letter : letters) {
      if (body.size() > 1) body.push_back(',');
      body += render_dead_letter(letter, pipe_, now);
      identities.push_back(Record{.event_id = letter.record->event_id});
    }
    body.push_back(']');
    net::Request request{.method = "POST",
                         .url = url_,
                         .headers = {{"Content-Type", "application/json"},
                                     {"Idempotency-Key", idempotency_key(identities)}},
                         .body = std::move(body),
                         .timeout = timeout_};

    // Shards dead-letter from their own threads; one client serves them in turn.
    std::lock_guard lock(mutex_);
    auto answer = client_.send(request);
    if (!answer) {
      return fail(Error::retriable("dead letters: " + answer.error().message));
    }
    if (answer->status >= 200 && answer->status <= 299) return {};
    std::string message = fmt::format("dead letters: {} answered HTTP {}",
                                      net::url_for_messages(url_), answer->status);
    if (auto excerpt = net::body_excerpt(answer->body); !excerpt.empty()) {
      message += ": " + excerpt;
    }
    return fail(Error::retriable(std::move(message)).with_status(answer->status));
  }

 private:
  std::string url_;
  std::string pipe_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  net::HttpClient client_;
};

}  // namespace

std::unique_ptr<DeadLetterDestination> make_http_dead_letters(std::string url, std::string pipe,
                                                              std::chrono::milliseconds timeout) {
  return std::make_unique<HttpDeadLetters>(std::move(url), std::move(pipe), timeout);
}

}  // namespace shardpipe
