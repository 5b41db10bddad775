// Runs the conformance table (conformance_cases.hpp): every pattern against its event, and every
// invalid pattern against the error it must produce.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "conformance_cases.hpp"
#include "filter/event_pattern.hpp"
#include "filter/record_filter.hpp"

namespace shardpipe::filter::conformance {

void PrintTo(const MatchCase& c, std::ostream* os) {
  *os << c.name << ": pattern " << c.pattern << " should " << (c.matches ? "" : "not ") << "match";
}

void PrintTo(const InvalidCase& c, std::ostream* os) {
  *os << c.name << ": " << c.pattern;
}

namespace {

using ::testing::HasSubstr;

class PatternConformance : public ::testing::TestWithParam<MatchCase> {};

TEST_P(PatternConformance, MatchesAsDocumented) {
  const MatchCase& c = GetParam();
  std::vector<std::string> patterns{std::string(c.pattern)};
  auto filter = RecordFilter::compile(patterns);
  ASSERT_TRUE(filter.has_value()) << filter.error().message;
  EXPECT_EQ(filter->matches(c.event), c.matches) << c.pattern << "\n" << c.event;
}

INSTANTIATE_TEST_SUITE_P(EventBridgeDocs, PatternConformance, ::testing::ValuesIn(kMatchCases),
                         [](const auto& info) { return std::string(info.param.name); });

class InvalidPatterns : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidPatterns, AreRejectedWithAClearMessage) {
  const InvalidCase& c = GetParam();
  auto compiled = parse_pattern(c.pattern);
  ASSERT_FALSE(compiled.has_value()) << c.pattern << " compiled";
  EXPECT_THAT(compiled.error().text(), HasSubstr(std::string(c.error)));
}

INSTANTIATE_TEST_SUITE_P(EventBridgeDocs, InvalidPatterns, ::testing::ValuesIn(kInvalidCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ConformanceTable, HasAtLeastEightyCasesWithUniqueNames) {
  std::set<std::string_view> names;
  size_t matching = 0;
  for (const MatchCase& c : kMatchCases) {
    names.insert(c.name);
    matching += c.matches ? 1 : 0;
  }
  EXPECT_GE(std::size(kMatchCases), 80u);
  EXPECT_EQ(names.size(), std::size(kMatchCases));
  // Both outcomes are well represented, so a matcher that always answers the same fails.
  EXPECT_GE(matching, 40u);
  EXPECT_GE(std::size(kMatchCases) - matching, 40u);
}

}  // namespace
}  // namespace shardpipe::filter::conformance
