#include "targets/s3/s3_requests.hpp"

#include <fmt/format.h>

#include <chrono>

#include "aws/sigv4.hpp"
#include "targets/s3/xml_text.hpp"

namespace shardpipe::s3 {
namespace {

using namespace std::chrono_literals;

// Small requests get a minute; bodies get a second more per MiB on top, so a slow link that still
// moves data is not cut off in the middle of a part.
std::chrono::milliseconds timeout_for(size_t body_bytes) {
  return 60s + std::chrono::seconds(body_bytes >> 20);
}

std::string upload_query(std::string_view upload_id) {
  return "uploadId=" + aws::uri_encode(upload_id, false);
}

}  // namespace

net::Request head_bucket_request(const BucketAddress& address) {
  return {.method = "HEAD", .url = bucket_url(address), .timeout = timeout_for(0)};
}

net::Request put_object_request(const BucketAddress& address, std::string_view key,
                                std::string body, std::string_view content_type) {
  const auto timeout = timeout_for(body.size());
  // Content-Type is set, and so signed, here: libcurl would otherwise send a form type.
  return {.method = "PUT",
          .url = object_url(address, key),
          .headers = {{"Content-Type", std::string(content_type)}},
          .body = std::move(body),
          .timeout = timeout};
}

net::Request create_multipart_upload_request(const BucketAddress& address, std::string_view key,
                                             std::string_view content_type) {
  return {.method = "POST",
          .url = object_url(address, key, "uploads"),
          .headers = {{"Content-Type", std::string(content_type)}},
          .timeout = timeout_for(0)};
}

net::Request upload_part_request(const BucketAddress& address, std::string_view key,
                                 std::string_view upload_id, int part_number, std::string body) {
  const auto timeout = timeout_for(body.size());
  return {.method = "PUT",
          .url = object_url(address, key,
                            fmt::format("partNumber={}&{}", part_number, upload_query(upload_id))),
          .headers = {{"Content-Type", "application/octet-stream"}},
          .body = std::move(body),
          .timeout = timeout};
}

std::string complete_multipart_upload_body(const std::vector<std::string>& etags) {
  std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (size_t i = 0; i < etags.size(); ++i) {
    body += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1,
                        xml_escaped(etags[i]));
  }
  body += "</CompleteMultipartUpload>";
  return body;
}

net::Request complete_multipart_upload_request(const BucketAddress& address, std::string_view key,
                                               std::string_view upload_id,
                                               const std::vector<std::string>& etags) {
  return {.method = "POST",
          .url = object_url(address, key, upload_query(upload_id)),
          .headers = {{"Content-Type", "application/xml"}},
          .body = complete_multipart_upload_body(etags),
          .timeout = timeout_for(0)};
}

net::Request abort_multipart_upload_request(const BucketAddress& address, std::string_view key,
                                            std::string_view upload_id) {
  return {.method = "DELETE",
          .url = object_url(address, key, upload_query(upload_id)),
          .timeout = timeout_for(0)};
}

}  // namespace shardpipe::s3
