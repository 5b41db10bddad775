#include "net/environment.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace shardpipe::net {
namespace {

// Sets a variable for one test and removes it afterwards.
class ScopedVariable {
 public:
  ScopedVariable(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedVariable() { ::unsetenv(name_); }

 private:
  const char* name_;
};

TEST(ExpandEnvironment, ReplacesReferencesWithValues) {
  ScopedVariable token("SHARDPIPE_TEST_TOKEN", "s3cret");
  ScopedVariable tenant("SHARDPIPE_TEST_TENANT", "acme");
  EXPECT_EQ(expand_environment("Bearer ${SHARDPIPE_TEST_TOKEN}"), "Bearer s3cret");
  EXPECT_EQ(expand_environment("${SHARDPIPE_TEST_TENANT}:${SHARDPIPE_TEST_TOKEN}!"),
            "acme:s3cret!");
  EXPECT_EQ(expand_environment("${SHARDPIPE_TEST_TOKEN}${SHARDPIPE_TEST_TOKEN}"), "s3crets3cret");
}

TEST(ExpandEnvironment, LeavesTextWithoutReferencesAlone) {
  EXPECT_EQ(expand_environment(""), "");
  EXPECT_EQ(expand_environment("plain value"), "plain value");
}

TEST(ExpandEnvironment, KeepsADollarNotFollowedByABrace) {
  EXPECT_EQ(expand_environment("costs $5, see $HOME"), "costs $5, see $HOME");
}

TEST(ExpandEnvironment, AValueIsNotExpandedAgain) {
  ScopedVariable outer("SHARDPIPE_TEST_OUTER", "${SHARDPIPE_TEST_UNSET_INNER}");
  EXPECT_EQ(expand_environment("${SHARDPIPE_TEST_OUTER}"), "${SHARDPIPE_TEST_UNSET_INNER}");
}

TEST(ExpandEnvironment, AnEmptyValueIsAValue) {
  ScopedVariable empty("SHARDPIPE_TEST_EMPTY", "");
  EXPECT_EQ(expand_environment("a${SHARDPIPE_TEST_EMPTY}b"), "ab");
}

TEST(ExpandEnvironment, AnUnsetVariableIsAnErrorNamingIt) {
  ScopedVariable other("SHARDPIPE_TEST_SET", "visible-value");
  ::unsetenv("SHARDPIPE_TEST_MISSING");
  auto expanded = expand_environment("${SHARDPIPE_TEST_SET} ${SHARDPIPE_TEST_MISSING}");
  ASSERT_FALSE(expanded.has_value());
  EXPECT_NE(expanded.error().message.find("SHARDPIPE_TEST_MISSING"), std::string::npos)
      << expanded.error().message;
  EXPECT_EQ(expanded.error().message.find("visible-value"), std::string::npos)
      << "an error must never show a value: " << expanded.error().message;
}

TEST(ExpandEnvironment, MalformedReferencesAreErrors) {
  for (const char* text : {"${", "Bearer ${TOKEN", "${}", "${1ABC}", "${A-B}", "${A B}"}) {
    EXPECT_FALSE(expand_environment(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace shardpipe::net
