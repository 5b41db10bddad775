// The pre-compiled pieces of the matcher: wildcards and cidr blocks.
#include <gtest/gtest.h>

#include "filter/cidr.hpp"
#include "filter/wildcard.hpp"

namespace shardpipe::filter::detail {
namespace {

bool wildcard_matches(std::string_view pattern, std::string_view value) {
  auto compiled = WildcardPattern::parse(pattern);
  EXPECT_TRUE(compiled.has_value()) << pattern;
  return compiled && compiled->matches(value);
}

TEST(WildcardPattern, StarsMatchAnyRunOfCharacters) {
  EXPECT_TRUE(wildcard_matches("*", ""));
  EXPECT_TRUE(wildcard_matches("*", "anything"));
  EXPECT_TRUE(wildcard_matches("a*", "a"));
  EXPECT_TRUE(wildcard_matches("*a", "bba"));
  EXPECT_FALSE(wildcard_matches("*a", "ab"));
  EXPECT_TRUE(wildcard_matches("a*b*c", "abc"));
  EXPECT_TRUE(wildcard_matches("a*b*c", "a-b-b-c"));
  EXPECT_FALSE(wildcard_matches("a*b*c", "a-c-b"));
  EXPECT_FALSE(wildcard_matches("ab*ba", "aba"));  // the ends may not overlap
  EXPECT_TRUE(wildcard_matches("*.*.*", "a.b.c"));
  EXPECT_FALSE(wildcard_matches("*.*.*", "a.b"));
  EXPECT_TRUE(wildcard_matches("exact", "exact"));
  EXPECT_FALSE(wildcard_matches("exact", "exactly"));
}

TEST(WildcardPattern, EscapesAndTheirErrors) {
  EXPECT_TRUE(wildcard_matches(R"(\*)", "*"));
  EXPECT_FALSE(wildcard_matches(R"(\*)", "x"));
  EXPECT_TRUE(wildcard_matches(R"(a\\*)", R"(a\bc)"));
  EXPECT_EQ(WildcardPattern::parse(R"(a\b)").error(),
            "a backslash may only escape '*' or '\\' (character 2)");
  EXPECT_EQ(WildcardPattern::parse("x**").error(),
            "two '*' in a row are not allowed (character 3)");
  EXPECT_TRUE(WildcardPattern::parse(R"(\**)").has_value()) << "an escaped star, then a wildcard";
}

TEST(CidrBlock, MatchesAddressesOfItsFamilyInsideTheBlock) {
  auto block = CidrBlock::parse("10.1.2.0/23");
  ASSERT_TRUE(block.has_value());
  EXPECT_TRUE(block->contains("10.1.2.0"));
  EXPECT_TRUE(block->contains("10.1.3.255"));
  EXPECT_FALSE(block->contains("10.1.4.0"));
  EXPECT_FALSE(block->contains("10.1.2"));
  EXPECT_FALSE(block->contains("10.1.2.3.4"));
  EXPECT_FALSE(block->contains("10.1.2.256"));
  EXPECT_FALSE(block->contains("10.1.02.3")) << "leading zeros are not an address";
  EXPECT_FALSE(block->contains("10.1.2.3 "));
  EXPECT_FALSE(block->contains("10.1.2.-3"));
  EXPECT_FALSE(block->contains(""));
  EXPECT_FALSE(block->contains("::ffff:10.1.2.1"));
  auto host_bits_set = CidrBlock::parse("192.168.1.77/24");
  ASSERT_TRUE(host_bits_set.has_value());
  EXPECT_TRUE(host_bits_set->contains("192.168.1.1"));
  auto everything = CidrBlock::parse("0.0.0.0/0");
  ASSERT_TRUE(everything.has_value());
  EXPECT_TRUE(everything->contains("255.255.255.255"));
  auto v6 = CidrBlock::parse("fe80::/10");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->contains("fe80::1"));
  EXPECT_TRUE(v6->contains("febf:ffff::1"));
  EXPECT_FALSE(v6->contains("fec0::1"));
  auto single = CidrBlock::parse("2001:db8::1/128");
  ASSERT_TRUE(single.has_value());
  EXPECT_TRUE(single->contains("2001:0db8:0000::0001"));
  EXPECT_FALSE(single->contains("2001:db8::2"));
}

TEST(CidrBlock, RejectsMalformedBlocks) {
  EXPECT_FALSE(CidrBlock::parse("10.0.0.0").has_value());
  EXPECT_FALSE(CidrBlock::parse("10.0.0.0/").has_value());
  EXPECT_FALSE(CidrBlock::parse("10.0.0.0/x").has_value());
  EXPECT_FALSE(CidrBlock::parse("10.0.0.0/-1").has_value());
  EXPECT_FALSE(CidrBlock::parse("10.0.0/8").has_value());
  EXPECT_FALSE(CidrBlock::parse("2001:db8::/200").has_value());
  EXPECT_FALSE(CidrBlock::parse("/8").has_value());
}

}  // namespace
}  // namespace shardpipe::filter::detail
