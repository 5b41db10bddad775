// The key column of mirror mode: one text for the same key however it was written.
#include "targets/postgres/canonical_json.hpp"

#include <gtest/gtest.h>

namespace shardpipe::postgres_target {
namespace {

std::string canonical(std::string_view json) {
  auto text = canonical_json(json);
  EXPECT_TRUE(text) << json << ": " << text.error().message;
  return text.value_or("");
}

TEST(CanonicalJson, MembersAreSortedAndWhitespaceDropped) {
  EXPECT_EQ(canonical(R"( { "sk" : {"N":"5"}, "pk":{"S":"a"} } )"),
            R"({"pk":{"S":"a"},"sk":{"N":"5"}})");
  EXPECT_EQ(canonical(R"({"pk":{"S":"a"},"sk":{"N":"5"}})"), R"({"pk":{"S":"a"},"sk":{"N":"5"}})");
  EXPECT_EQ(canonical(R"({"b":{"z":1,"y":[{"d":1,"c":2}]},"a":null,"c":true})"),
            R"({"a":null,"b":{"y":[{"c":2,"d":1}],"z":1},"c":true})");
}

TEST(CanonicalJson, StringsAreReEscapedTheStandardWay) {
  EXPECT_EQ(canonical(R"({"id":"caf\u00e9 \"x\"\/"})"), "{\"id\":\"caf\xc3\xa9 \\\"x\\\"/\"}");
}

TEST(CanonicalJson, NumbersKeepEveryDigitAsWritten) {
  EXPECT_EQ(canonical(R"({"n":123456789012345678901234567890123456789})"),
            R"({"n":123456789012345678901234567890123456789})");
  EXPECT_EQ(canonical(R"({"n":-1.50e3 })"), R"({"n":-1.50e3})");
}

TEST(CanonicalJson, OnlyAJsonObjectIsAKey) {
  for (const char* bad : {"", "[1]", "\"a\"", "{", "{\"a\":tru}"}) {
    auto text = canonical_json(bad);
    EXPECT_FALSE(text) << bad;
    if (!text) {
      EXPECT_EQ(text.error().kind, ErrorClass::permanent);
    }
  }
}

}  // namespace
}  // namespace shardpipe::postgres_target
