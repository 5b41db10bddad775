#include "targets/s3/bucket_address.hpp"

#include <fmt/format.h>

#include "aws/json_client.hpp"
#include "aws/sigv4.hpp"

namespace shardpipe::s3 {

std::string BucketAddress::describe(std::string_view key) const {
  return fmt::format("s3://{}/{}", bucket, key);
}

BucketAddress bucket_address(std::string_view bucket, std::string_view region,
                             std::string_view endpoint_override) {
  BucketAddress address;
  address.bucket = std::string(bucket);
  std::string origin = aws::endpoint_url("s3", region, endpoint_override);
  while (origin.ends_with('/')) origin.pop_back();
  address.path_style = !endpoint_override.empty() || bucket.find('.') != std::string_view::npos;
  if (!address.path_style) {
    // https://s3.<region>.amazonaws.com -> https://<bucket>.s3.<region>.amazonaws.com
    const size_t host = origin.find("://") + 3;
    origin.insert(host, std::string(bucket) + ".");
  }
  address.origin = std::move(origin);
  return address;
}

namespace {

std::string with_query(std::string url, std::string_view query) {
  if (!query.empty()) {
    url += '?';
    url += query;
  }
  return url;
}

}  // namespace

std::string bucket_url(const BucketAddress& address, std::string_view query) {
  std::string url = address.origin + "/";
  if (address.path_style) url += aws::uri_encode(address.bucket, false);
  return with_query(std::move(url), query);
}

std::string object_url(const BucketAddress& address, std::string_view key, std::string_view query) {
  std::string url = address.origin + "/";
  if (address.path_style) url += aws::uri_encode(address.bucket, false) + "/";
  url += aws::uri_encode(key, true);
  return with_query(std::move(url), query);
}

}  // namespace shardpipe::s3
