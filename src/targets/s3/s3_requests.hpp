// The S3 REST requests the target sends, built but not yet signed (S3Client signs each attempt):
// HeadBucket, PutObject and the multipart calls. Kept apart from sending so that tests can sign
// them at a fixed time and check every byte of the canonical request.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/http_client.hpp"
#include "targets/s3/bucket_address.hpp"

namespace shardpipe::s3 {

net::Request head_bucket_request(const BucketAddress& address);

net::Request put_object_request(const BucketAddress& address, std::string_view key,
                                std::string body, std::string_view content_type);

// POST <key>?uploads
net::Request create_multipart_upload_request(const BucketAddress& address, std::string_view key,
                                             std::string_view content_type);

// PUT <key>?partNumber=N&uploadId=ID; part numbers count from 1.
net::Request upload_part_request(const BucketAddress& address, std::string_view key,
                                 std::string_view upload_id, int part_number, std::string body);

// POST <key>?uploadId=ID with the parts' ETags, in part order (part i+1 is etags[i]).
net::Request complete_multipart_upload_request(const BucketAddress& address, std::string_view key,
                                               std::string_view upload_id,
                                               const std::vector<std::string>& etags);

// DELETE <key>?uploadId=ID
net::Request abort_multipart_upload_request(const BucketAddress& address, std::string_view key,
                                            std::string_view upload_id);

// The CompleteMultipartUpload document.
std::string complete_multipart_upload_body(const std::vector<std::string>& etags);

}  // namespace shardpipe::s3
