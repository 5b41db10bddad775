// Writing one object: a single PutObject up to the multipart threshold, above it a multipart
// upload (CreateMultipartUpload, UploadPart for each part, CompleteMultipartUpload), aborted when
// any step fails. Either way the object appears whole under its key or not at all, and writing
// the same key again replaces it whole.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "targets/s3/s3_client.hpp"

namespace shardpipe::s3 {

struct MultipartPolicy {
  size_t threshold = 16ull << 20;  // objects above this size go in parts
  size_t part_size = 8ull << 20;   // S3 takes 5 MiB at least (except the last part)
};

// S3 takes at most 10,000 parts per upload.
inline constexpr size_t max_parts = 10'000;

// Where each part of an object of `object_size` bytes starts and how long it is: `part_size`
// each (grown when 10,000 parts would not hold the object), the last one shorter.
struct PartSpan {
  size_t offset = 0;
  size_t size = 0;
};
std::vector<PartSpan> plan_parts(size_t object_size, size_t part_size);

// Writes `body` under `key`. Errors are S3Client's; a failed multipart upload was aborted (or
// tried to be: an upload left behind is removed by a bucket lifecycle rule, see the docs).
Status upload_object(S3Client& client, const std::string& key, std::string body,
                     std::string_view content_type, const MultipartPolicy& policy = {});

}  // namespace shardpipe::s3
