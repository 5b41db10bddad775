// The shared config and credentials files as the AWS CLI writes and reads them.
#include "aws/shared_file.hpp"

#include <gtest/gtest.h>

namespace shardpipe::aws {
namespace {

TEST(SharedFile, ReadsSectionsAndKeys) {
  auto file = parse_shared_file(
      "# a comment\n"
      "; another comment\n"
      "[default]\n"
      "aws_access_key_id = AKIDEXAMPLE\r\n"
      "Region=eu-west-1\n"
      "\n"
      "[profile   dev] ; the developers' account\n"
      "output: json\n");
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ(file->at("default").at("aws_access_key_id"), "AKIDEXAMPLE");
  EXPECT_EQ(file->at("default").at("region"), "eu-west-1");
  EXPECT_EQ(file->at("profile dev").at("output"), "json");
}

TEST(SharedFile, ToleratesNestedBlocks) {
  auto file = parse_shared_file(
      "[profile dev]\n"
      "s3 =\n"
      "  max_concurrent_requests = 20\n"
      "  max_queue_size = 10000\n"
      "region = us-west-2\n");
  ASSERT_TRUE(file.has_value()) << file.error().message;
  const auto& dev = file->at("profile dev");
  EXPECT_EQ(dev.at("region"), "us-west-2");
  EXPECT_EQ(dev.at("s3"), "");
  EXPECT_FALSE(dev.contains("max_concurrent_requests"));
}

TEST(SharedFile, KeepsAValueWhole) {
  // No trailing comments in these files: a '#' or '=' inside a value is part of it.
  auto file = parse_shared_file("[a]\nkey = x#y=z \n");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->at("a").at("key"), "x#y=z");
}

TEST(SharedFile, ARepeatedSectionMerges) {
  auto file = parse_shared_file("[a]\nx = 1\ny = 1\n[b]\n[a]\ny = 2\n");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->at("a").at("x"), "1");
  EXPECT_EQ(file->at("a").at("y"), "2");
}

TEST(SharedFile, MalformedLinesAreNamedByNumberOnly) {
  auto no_equals = parse_shared_file("[default]\nwJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n");
  ASSERT_FALSE(no_equals.has_value());
  EXPECT_NE(no_equals.error().message.find("line 2"), std::string::npos);
  EXPECT_EQ(no_equals.error().message.find("wJalr"), std::string::npos);

  auto before_section = parse_shared_file("key = value\n");
  ASSERT_FALSE(before_section.has_value());
  EXPECT_NE(before_section.error().message.find("line 1"), std::string::npos);

  EXPECT_FALSE(parse_shared_file("[default\n").has_value());
}

}  // namespace
}  // namespace shardpipe::aws
