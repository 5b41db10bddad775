#include "targets/s3/bucket_address.hpp"

#include <gtest/gtest.h>

#include "aws/sigv4.hpp"

namespace shardpipe::s3 {
namespace {

TEST(BucketAddress, PathStyleWithAnEndpointOverride) {
  auto address = bucket_address("orders", "us-east-1", "http://127.0.0.1:4568/");
  EXPECT_TRUE(address.path_style);
  EXPECT_EQ(bucket_url(address), "http://127.0.0.1:4568/orders");
  EXPECT_EQ(object_url(address, "p/s/1.jsonl"), "http://127.0.0.1:4568/orders/p/s/1.jsonl");
  EXPECT_EQ(object_url(address, "k", "uploads"), "http://127.0.0.1:4568/orders/k?uploads");
}

TEST(BucketAddress, VirtualHostedOnAws) {
  auto address = bucket_address("orders", "eu-west-1", "");
  EXPECT_FALSE(address.path_style);
  EXPECT_EQ(bucket_url(address), "https://orders.s3.eu-west-1.amazonaws.com/");
  EXPECT_EQ(object_url(address, "a/b.jsonl"),
            "https://orders.s3.eu-west-1.amazonaws.com/a/b.jsonl");
  EXPECT_EQ(bucket_url(bucket_address("logs", "cn-north-1", "")),
            "https://logs.s3.cn-north-1.amazonaws.com.cn/");
}

TEST(BucketAddress, DottedBucketsUsePathsOnAws) {
  // A dotted name as a host name would not match AWS's wildcard certificate.
  auto address = bucket_address("logs.example.com", "us-east-1", "");
  EXPECT_TRUE(address.path_style);
  EXPECT_EQ(object_url(address, "k"), "https://s3.us-east-1.amazonaws.com/logs.example.com/k");
}

TEST(BucketAddress, KeysAreEncodedOnceWithSlashesKept) {
  auto address = bucket_address("b", "us-east-1", "http://127.0.0.1:1");
  EXPECT_EQ(object_url(address, "a b/c+d/\xC3\xA9~x.jsonl"),
            "http://127.0.0.1:1/b/a%20b/c%2Bd/%C3%A9~x.jsonl");
  EXPECT_EQ(aws::uri_encode("a/b=c", false), "a%2Fb%3Dc");
  EXPECT_EQ(address.describe("k/1"), "s3://b/k/1");
}

}  // namespace
}  // namespace shardpipe::s3
