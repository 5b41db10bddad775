#include "targets/http/batch_request.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace shardpipe {
namespace {

struct DigestDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

}  // namespace

std::string batch_body(std::span<const Record> batch) {
  size_t size = 2;
  for (const auto& record : batch) size += record.envelope.size() + 1;
  std::string body;
  body.reserve(size);
  body.push_back('[');
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i > 0) body.push_back(',');
    body.append(batch[i].envelope);
  }
  body.push_back(']');
  return body;
}

std::string idempotency_key(std::span<const Record> batch) {
  std::unique_ptr<EVP_MD_CTX, DigestDeleter> context(EVP_MD_CTX_new());
  bool ok = context && EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) == 1;
  for (size_t i = 0; ok && i < batch.size(); ++i) {
    if (i > 0) ok = EVP_DigestUpdate(context.get(), "\n", 1) == 1;
    const auto& event_id = batch[i].event_id;
    ok = ok && EVP_DigestUpdate(context.get(), event_id.data(), event_id.size()) == 1;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  ok = ok && EVP_DigestFinal_ex(context.get(), digest, &length) == 1;
  // Only an allocation failure inside OpenSSL gets here.
  if (!ok) throw std::runtime_error("SHA-256 of the batch's eventIDs failed");
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i)
    fmt::format_to(std::back_inserter(hex), "{:02x}", digest[i]);
  return hex;
}

net::Request batch_post(const std::string& url, std::vector<net::Header> headers,
                        std::chrono::milliseconds timeout, std::span<const Record> batch) {
  net::Request request{.method = "POST",
                       .url = url,
                       .headers = std::move(headers),
                       .body = batch_body(batch),
                       .timeout = timeout};
  request.headers.push_back({"Idempotency-Key", idempotency_key(batch)});
  return request;
}

}  // namespace shardpipe
