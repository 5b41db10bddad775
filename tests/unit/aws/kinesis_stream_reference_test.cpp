// source.stream and target.stream: a name, or the ARN of a Kinesis stream (which names the region
// too).
#include "aws/kinesis_stream_reference.hpp"

#include <gtest/gtest.h>

namespace shardpipe::aws {
namespace {

TEST(StreamReference, ANameIsUsedAsItIs) {
  auto reference = parse_stream_reference("orders-out_2.v1");
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  EXPECT_EQ(reference->name, "orders-out_2.v1");
  EXPECT_EQ(reference->region, "");
}

TEST(StreamReference, AnArnGivesNameAndRegion) {
  auto reference = parse_stream_reference("arn:aws:kinesis:eu-west-1:123456789012:stream/orders");
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  EXPECT_EQ(reference->name, "orders");
  EXPECT_EQ(reference->region, "eu-west-1");
}

TEST(StreamReference, AnythingElseIsAFatalErrorNamingTheSetting) {
  for (const std::string& stream :
       {std::string(""), std::string("orders out"), std::string(129, 'a'),
        std::string("arn:aws:sqs:eu-west-1:123456789012:orders"),
        std::string("arn:aws:kinesis:eu-west-1:123456789012:stream/"),
        std::string("arn:aws:kinesis:eu-west-1")}) {
    auto reference = parse_stream_reference(stream);
    ASSERT_FALSE(reference.has_value()) << stream;
    EXPECT_EQ(reference.error().kind, ErrorClass::fatal);
    EXPECT_TRUE(reference.error().message.starts_with("target.stream: ")) << stream;
  }
}

}  // namespace
}  // namespace shardpipe::aws
