// S3's error answers (an XML <Error> with Code and Message; a HEAD answer has only its status)
// and what the target does about each.
//
// Retriable: 5xx (503 SlowDown included), 429, 408, RequestTimeout, throttling codes, a clock
// that drifted (RequestTimeTooSkewed), an upload that vanished (NoSuchUpload: the whole upload
// starts again) and conflicting operations. Everything else is fatal: a missing bucket, refused
// credentials or permissions, a wrong region, a key S3 refuses. A buffering target cannot route
// an object to the dead letters, and sending the same bytes to the same key again would be
// refused again, so the pipe stops with the reason rather than retry for ever.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::s3 {

struct S3ErrorAnswer {
  std::string code;     // "NoSuchBucket"; from the status when the body names none
  std::string message;  // S3's Message; empty when there is none
};

// The code and message of an error answer. A body without <Error> (a HEAD answer, a proxy's
// page) gives the code S3 uses for the status (404 NoSuchBucket on a bucket, 403 AccessDenied,
// 301 PermanentRedirect, ...), or "HTTP <status>".
S3ErrorAnswer parse_s3_error(int status, std::string_view body);

ErrorClass classify_s3_error(int status, std::string_view code);

// True when a 200 answer carries an <Error> after all (CompleteMultipartUpload may do that once
// it has started sending its answer).
bool is_error_document(std::string_view body);

}  // namespace shardpipe::s3
