// Where a bucket's objects are reached: virtual-hosted style on AWS
// (https://<bucket>.s3.<region>.amazonaws.com/<key>), path style with an endpoint override
// (http://127.0.0.1:4568/<bucket>/<key>, which emulators need) and for bucket names with dots
// (which AWS's wildcard certificate does not cover as a host name).
#pragma once

#include <string>
#include <string_view>

namespace shardpipe::s3 {

struct BucketAddress {
  std::string origin;  // scheme://host[:port] that requests go to, without a trailing slash
  std::string bucket;
  bool path_style = false;

  // "s3://bucket/key", for messages.
  std::string describe(std::string_view key = {}) const;
};

// `endpoint_override` wins when not empty (path style); otherwise AWS's endpoint of `region`.
BucketAddress bucket_address(std::string_view bucket, std::string_view region,
                             std::string_view endpoint_override);

// The URL of the bucket itself ("/" with virtual hosts, "/<bucket>" with paths), plus
// "?<query>" when `query` is not empty. The query must be encoded already.
std::string bucket_url(const BucketAddress& address, std::string_view query = {});

// The URL of the object `key` (encoded here, '/' kept), plus "?<query>" when not empty.
std::string object_url(const BucketAddress& address, std::string_view key,
                       std::string_view query = {});

}  // namespace shardpipe::s3
