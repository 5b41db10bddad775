// ARNs split into their parts; the resource keeps its own colons and slashes.
#include "aws/arn.hpp"

#include <gtest/gtest.h>

namespace shardpipe::aws {
namespace {

TEST(Arn, SplitsIntoItsParts) {
  auto arn = parse_arn("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/orders");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->partition, "aws-cn");
  EXPECT_EQ(arn->service, "kinesis");
  EXPECT_EQ(arn->region, "cn-north-1");
  EXPECT_EQ(arn->account, "123456789012");
  EXPECT_EQ(arn->resource, "stream/orders");
}

TEST(Arn, TheResourceMayHoldColons) {
  auto arn = parse_arn("arn:aws:kinesis:us-east-1:1:stream/s/consumer/c:1700000000");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->resource, "stream/s/consumer/c:1700000000");
  EXPECT_EQ(parse_arn("arn:aws:s3:::bucket")->region, "");
}

TEST(Arn, AnythingElseIsNone) {
  EXPECT_FALSE(parse_arn("orders").has_value());
  EXPECT_FALSE(parse_arn("arn:aws:kinesis:us-east-1").has_value());
  EXPECT_FALSE(parse_arn("ARN:aws:kinesis:us-east-1:1:stream/x").has_value());
}

}  // namespace
}  // namespace shardpipe::aws
