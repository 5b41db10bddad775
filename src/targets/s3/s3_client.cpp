#include "targets/s3/s3_client.hpp"

#include <fmt/format.h>

#include <thread>

#include "aws/sigv4.hpp"
#include "core/backoff.hpp"
#include "net/body_excerpt.hpp"
#include "targets/s3/s3_error.hpp"

namespace shardpipe::s3 {
namespace {

Error answer_error(std::string_view where, const net::Response& answer) {
  const auto parsed = parse_s3_error(answer.status, answer.body);
  std::string text = fmt::format("{}: {}", where, parsed.code);
  if (!parsed.message.empty()) text += ": " + net::body_excerpt(parsed.message, 300);
  text += fmt::format(" (HTTP {})", answer.status);
  // Where S3 says which region the bucket is in, say so: it is the usual cause of a 301 or 400.
  if (const auto* region = answer.header("x-amz-bucket-region")) {
    text += fmt::format("; the bucket is in region {}", *region);
  }
  return Error{classify_s3_error(answer.status, parsed.code), std::move(text), answer.status};
}

}  // namespace

S3Client::S3Client(BucketAddress address, std::string region, aws::Credentials credentials,
                   ClientRetry retry)
    : address_(std::move(address)),
      region_(std::move(region)),
      credentials_(std::move(credentials)),
      retry_(retry) {}

Result<net::Response> S3Client::send(std::string_view operation, std::string_view key,
                                     net::Request request) {
  const auto where = fmt::format("S3 {} {}", operation, address_.describe(key));
  const int attempts = std::max(1, retry_.max_attempts);
  Backoff backoff(retry_.backoff_initial, retry_.backoff_max);
  Error last;
  for (int attempt = 1;; ++attempt) {
    // Signed for each attempt (replacing the last signature): it carries the time, and S3
    // refuses an old one.
    aws::sign_request(request, credentials_, {region_, "s3", std::chrono::system_clock::now()});
    auto answer = http_.send(request);
    if (!answer) {
      // The client's message names method and URL, never a header.
      last = Error::retriable(fmt::format("{}: {}", where, answer.error().message));
    } else if (answer->status >= 200 && answer->status < 300 && !is_error_document(answer->body)) {
      return std::move(*answer);
    } else {
      last = answer_error(where, *answer);
      if (!last.is_retriable()) return fail(std::move(last));
    }
    if (attempt >= attempts) break;
    std::this_thread::sleep_for(backoff.next());
  }
  if (attempts > 1) last.message += fmt::format(" (gave up after {} attempts)", attempts);
  return fail(std::move(last));
}

}  // namespace shardpipe::s3
