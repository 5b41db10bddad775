#include "targets/s3/object_upload.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "targets/s3/s3_requests.hpp"
#include "targets/s3/xml_text.hpp"

namespace shardpipe::s3 {
namespace {

Result<std::string> create_upload(S3Client& client, const std::string& key,
                                  std::string_view content_type) {
  auto answer = client.send("CreateMultipartUpload", key,
                            create_multipart_upload_request(client.address(), key, content_type));
  if (!answer) return fail(std::move(answer.error()));
  auto upload_id = xml_element_text(answer->body, "UploadId");
  if (!upload_id || upload_id->empty()) {
    return fail(Error::retriable(fmt::format(
        "S3 CreateMultipartUpload {}: no UploadId in the answer", client.address().describe(key))));
  }
  return std::move(*upload_id);
}

// Uploads the parts and completes the upload.
Status upload_parts(S3Client& client, const std::string& key, std::string_view body,
                    const std::string& upload_id, const MultipartPolicy& policy) {
  std::vector<std::string> etags;
  int part_number = 0;
  for (const auto& span : plan_parts(body.size(), policy.part_size)) {
    ++part_number;
    auto answer =
        client.send("UploadPart", key,
                    upload_part_request(client.address(), key, upload_id, part_number,
                                        std::string(body.substr(span.offset, span.size))));
    if (!answer) return fail(std::move(answer.error()));
    const auto* etag = answer->header("ETag");
    if (etag == nullptr || etag->empty()) {
      return fail(Error::retriable(fmt::format("S3 UploadPart {} part {}: no ETag in the answer",
                                               client.address().describe(key), part_number)));
    }
    etags.push_back(*etag);
  }
  auto completed =
      client.send("CompleteMultipartUpload", key,
                  complete_multipart_upload_request(client.address(), key, upload_id, etags));
  if (!completed) return fail(std::move(completed.error()));
  return {};
}

}  // namespace

std::vector<PartSpan> plan_parts(size_t object_size, size_t part_size) {
  part_size = std::max<size_t>(part_size, 1);
  // Grown so that the parts fit S3's limit, whatever the object's size.
  part_size = std::max(part_size, (object_size + max_parts - 1) / max_parts);
  std::vector<PartSpan> parts;
  for (size_t offset = 0; offset < object_size; offset += part_size) {
    parts.push_back({offset, std::min(part_size, object_size - offset)});
  }
  return parts;
}

Status upload_object(S3Client& client, const std::string& key, std::string body,
                     std::string_view content_type, const MultipartPolicy& policy) {
  if (body.size() <= policy.threshold) {
    auto answer = client.send(
        "PutObject", key, put_object_request(client.address(), key, std::move(body), content_type));
    if (!answer) return fail(std::move(answer.error()));
    return {};
  }

  auto upload_id = create_upload(client, key, content_type);
  if (!upload_id) return fail(std::move(upload_id.error()));
  auto uploaded = upload_parts(client, key, body, *upload_id, policy);
  if (uploaded) return {};

  // The parts of a failed upload cost storage until aborted. The next attempt starts a new
  // upload, so this one is of no further use.
  auto aborted = client.send("AbortMultipartUpload", key,
                             abort_multipart_upload_request(client.address(), key, *upload_id));
  if (!aborted) {
    spdlog::warn("could not abort the failed multipart upload of {}: {}",
                 client.address().describe(key), aborted.error().message);
  }
  return uploaded;
}

}  // namespace shardpipe::s3
