#include "core/json_spans.hpp"

#include <gtest/gtest.h>

namespace shardpipe {
namespace {

TEST(JsonSpans, ElementsAreTheirTextByteForByte) {
  std::string document =
      R"( {"NextShardIterator":"it","Records" : [ {"a":1.500E3,"s":"x]}\"{"} ,[1,[2]],"t",-0.0e+1 ,null]})";
  auto elements = array_member_elements(document, "Records");
  ASSERT_TRUE(elements.has_value());
  ASSERT_EQ(elements->size(), 5u);
  EXPECT_EQ((*elements)[0], R"({"a":1.500E3,"s":"x]}\"{"})");
  EXPECT_EQ((*elements)[1], "[1,[2]]");
  EXPECT_EQ((*elements)[2], R"("t")");
  EXPECT_EQ((*elements)[3], "-0.0e+1");
  EXPECT_EQ((*elements)[4], "null");
}

TEST(JsonSpans, MembersAfterNestedValuesAreFound) {
  std::string document = R"({"x":{"Records":[1]},"y":"\"Records\":[2]","Records":[],"z":3})";
  auto elements = array_member_elements(document, "Records");
  ASSERT_TRUE(elements.has_value());
  EXPECT_TRUE(elements->empty());
  EXPECT_EQ(top_level_member(document, "z"), "3");
  EXPECT_EQ(top_level_member(document, "x"), R"({"Records":[1]})");
}

TEST(JsonSpans, MissingOrNotAnArray) {
  EXPECT_FALSE(array_member_elements(R"({"Records":{}})", "Records").has_value());
  EXPECT_FALSE(array_member_elements(R"({"Other":[1]})", "Records").has_value());
  EXPECT_FALSE(array_member_elements("[1,2]", "Records").has_value());
  EXPECT_FALSE(top_level_member("{}", "a").has_value());
}

}  // namespace
}  // namespace shardpipe
