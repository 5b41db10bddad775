#include "config/yaml_json.hpp"

#include <gtest/gtest.h>

namespace shardpipe::config {
namespace {

std::string json_of(const std::string& yaml) {
  auto json = yaml_to_json(YAML::Load(yaml));
  if (!json) return "error: " + json.error().message;
  return json->dump();
}

TEST(YamlToJson, PlainScalarsFollowTheCoreSchema) {
  EXPECT_EQ(json_of("[1, -2, +3, 1.5, -0.25e2, 12345678901234567890, .5]"),
            "[1,-2,3,1.5,-25.0,12345678901234567890,0.5]");
  EXPECT_EQ(json_of("[true, false, True, FALSE, null, ~, Null]"),
            "[true,false,true,false,null,null,null]");
  EXPECT_EQ(json_of("[paid, 1.2.3, 0x10, inf, .nan, yes, 1_000, '', 2026-11-22]"),
            R"(["paid","1.2.3","0x10","inf",".nan","yes","1_000","","2026-11-22"])");
}

TEST(YamlToJson, QuotedAndTaggedScalarsStayStrings) {
  EXPECT_EQ(json_of(R"(["1", '2', "true", 'null', !!str 5])"), R"(["1","2","true","null","5"])");
}

TEST(YamlToJson, KeepsTheOrderOfMappings) {
  EXPECT_EQ(json_of("{ z: 1, a: { y: [x], b: null }, m: }"),
            R"({"z":1,"a":{"y":["x"],"b":null},"m":null})");
}

TEST(YamlToJson, RejectsNonScalarKeys) {
  auto json = yaml_to_json(YAML::Load("{ [a]: 1 }"));
  ASSERT_FALSE(json.has_value());
  EXPECT_EQ(json.error().message,
            "keys inside a JSON object must be strings, not lists or mappings");
}

// Found while writing fuzz/pipe_file_fuzzer (fuzz/corpus/pipe_file/alias_inside_own_anchor.yaml):
// the conversion followed the alias forever and overflowed the stack.
TEST(YamlToJson, StopsAtAnAliasInsideTheNodeItNames) {
  auto json = yaml_to_json(YAML::Load("&a [ { data: *a } ]"));
  ASSERT_FALSE(json.has_value());
  EXPECT_EQ(json.error().message,
            "this is nested more than 1000 levels deep (with its aliases expanded; an alias "
            "inside the node it names never ends)");
}

// Nine levels of ten aliases each stand for 10^9 values: rejected before they are built.
TEST(YamlToJson, StopsAtAliasesThatExpandToTooManyValues) {
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {
    std::string previous = "*a" + std::to_string(level - 1);
    yaml += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) yaml += (i > 0 ? ", " : "") + previous;
    yaml += "]\n";
  }
  auto json = yaml_to_json(YAML::Load(yaml));
  ASSERT_FALSE(json.has_value());
  EXPECT_EQ(json.error().message,
            "this holds more than 10000 values once its aliases are expanded");
}

TEST(YamlToJson, AliasesWithinTheLimitsAreExpanded) {
  EXPECT_EQ(json_of("{ a: &s [paid, 1], b: *s, c: { d: *s } }"),
            R"({"a":["paid",1],"b":["paid",1],"c":{"d":["paid",1]}})");
}

}  // namespace
}  // namespace shardpipe::config
