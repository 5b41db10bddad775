// RecordFilter: patterns OR-ed, an envelope parsed once, errors that say which pattern is wrong
// and where.
#include "filter/record_filter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/json_text.hpp"
#include "filter/event_pattern.hpp"

namespace shardpipe::filter {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

RecordFilter compiled(std::vector<std::string> patterns) {
  auto filter = RecordFilter::compile(patterns);
  EXPECT_TRUE(filter.has_value()) << filter.error().message;
  return std::move(*filter);
}

constexpr std::string_view kPaid = R"({"eventID":"s:1","data":{"status":"paid","amount":12}})";
constexpr std::string_view kRefunded = R"({"eventID":"s:2","data":{"status":"refunded"}})";
constexpr std::string_view kPending = R"({"eventID":"s:3","data":{"status":"pending"}})";

TEST(RecordFilter, PassesARecordThatAnyPatternMatches) {
  RecordFilter filter =
      compiled({R"({"data":{"status":["paid"]}})", R"({"data":{"status":["refunded"]}})"});
  EXPECT_EQ(filter.pattern_count(), 2u);
  EXPECT_TRUE(filter.matches(kPaid));
  EXPECT_TRUE(filter.matches(kRefunded));
  EXPECT_FALSE(filter.matches(kPending));
}

TEST(RecordFilter, WithoutPatternsEveryRecordPasses) {
  RecordFilter filter = compiled({});
  EXPECT_TRUE(filter.matches(kPending));
  EXPECT_TRUE(filter.matches("not even JSON"));
}

TEST(RecordFilter, AnEnvelopeThatIsNotJsonMatchesNothing) {
  RecordFilter filter = compiled({R"({"data":[{"exists":false}]})"});
  EXPECT_TRUE(filter.matches(R"({"eventID":"s:1"})"));
  EXPECT_FALSE(filter.matches(R"({"eventID":"s:1")"));
  EXPECT_FALSE(filter.matches(""));
  EXPECT_FALSE(filter.matches("\xff\xfe"));
}

TEST(RecordFilter, ReusesItsParserAcrossRecords) {
  RecordFilter filter = compiled({R"({"data":{"status":["paid"]}})"});
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(filter.matches(kPaid));
    EXPECT_FALSE(filter.matches(kPending));
    EXPECT_FALSE(filter.matches("{"));
  }
}

TEST(RecordFilter, DecodedBodiesAreNotMixedUpBetweenRecords) {
  // Two base64 bodies of the same length: a stale cache would answer for the wrong record.
  RecordFilter filter = compiled({R"({"data":{"s":["paid"]}})", R"({"data":{"t":["x"]}})"});
  EXPECT_TRUE(filter.matches(R"({"data":"eyJzIjoicGFpZCJ9"})"));   // {"s":"paid"}
  EXPECT_FALSE(filter.matches(R"({"data":"eyJzIjoibm9wZSJ9"})"));  // {"s":"nope"}
  EXPECT_TRUE(filter.matches(R"({"data":"eyJzIjoicGFpZCJ9"})"));
}

TEST(RecordFilter, CopiesAndMovesKeepThePatterns) {
  RecordFilter original = compiled({R"({"data":{"status":["paid"]}})"});
  RecordFilter copy = original;  // one per shard thread
  EXPECT_TRUE(copy.matches(kPaid));
  EXPECT_TRUE(original.matches(kPaid));
  RecordFilter moved = std::move(original);
  EXPECT_TRUE(moved.matches(kPaid));
  EXPECT_FALSE(moved.matches(kPending));
  RecordFilter assigned = compiled({});
  assigned = copy;
  EXPECT_FALSE(assigned.matches(kPending));
}

TEST(RecordFilter, NamesThePatternThatIsInvalid) {
  std::vector<std::string> patterns = {R"({"data":{"status":["paid"]}})",
                                       R"({"data":{"amount":[{"numeric":[">"]}]}})"};
  auto filter = RecordFilter::compile(patterns);
  ASSERT_FALSE(filter.has_value());
  EXPECT_EQ(filter.error().kind, ErrorClass::permanent);
  EXPECT_THAT(filter.error().message,
              HasSubstr("pattern 2: data.amount: numeric needs an operator and a number"));
}

TEST(PatternError, LocatesTheOffendingPartForTheConfigFile) {
  auto compiled = parse_pattern(R"({"data":{"amount":[1,{"numeric":[">"]}]}})");
  ASSERT_FALSE(compiled.has_value());
  const PatternError& error = compiled.error();
  std::vector<std::string> steps;
  for (const PatternStep& step : error.location) {
    steps.push_back(step.index >= 0 ? "[" + std::to_string(step.index) + "]" : step.key);
  }
  EXPECT_THAT(steps, ElementsAre("data", "amount", "[1]", "numeric"));
  EXPECT_FALSE(error.at_key);
  EXPECT_EQ(error.field, "data.amount");
  EXPECT_EQ(error.text(), error.field + ": " + error.message);
}

TEST(PatternError, PointsAtTheKeyOfAnUnknownMatcher) {
  auto compiled = parse_pattern(R"({"source":[{"sufix":".png"}]})");
  ASSERT_FALSE(compiled.has_value());
  EXPECT_TRUE(compiled.error().at_key);
  EXPECT_EQ(compiled.error().location.back().key, "sufix");
  EXPECT_THAT(compiled.error().text(), HasSubstr("did you mean 'suffix'?"));
}

TEST(PatternError, RejectsPatternsLongerThanEventBridgeAllows) {
  std::string values;
  while (values.size() < kMaxPatternChars) values += "\"value\",";
  std::string pattern = R"({"a":[)" + values + R"("last"]})";
  auto compiled = compile_pattern(pattern);
  ASSERT_FALSE(compiled.has_value());
  EXPECT_THAT(compiled.error().message, HasSubstr("EventBridge allows at most 4096"));
}

TEST(PatternError, ShortensLongValuesWithoutBreakingCharacters) {
  std::string accents = "x";                         // so that the cut falls inside a character
  for (int i = 0; i < 40; ++i) accents += "\u00e9";  // é, two bytes in UTF-8
  auto compiled = parse_pattern(R"({"name":")" + accents + R"("})");
  ASSERT_FALSE(compiled.has_value());
  EXPECT_THAT(compiled.error().message, HasSubstr("..."));
  EXPECT_TRUE(is_valid_utf8(compiled.error().message));
}

TEST(RecordFilter, ManyExactValuesAreLookedUpInASet) {
  std::string values;
  for (int i = 0; i < 50; ++i) values += "\"customer-" + std::to_string(i) + "\",";
  RecordFilter filter = compiled({R"({"partitionKey":[)" + values + R"("vip"]})"});
  EXPECT_TRUE(filter.matches(R"({"partitionKey":"customer-37"})"));
  EXPECT_TRUE(filter.matches(R"({"partitionKey":"vip"})"));
  EXPECT_FALSE(filter.matches(R"({"partitionKey":"customer-50"})"));
}

}  // namespace
}  // namespace shardpipe::filter
