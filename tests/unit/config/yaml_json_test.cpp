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

}  // namespace
}  // namespace shardpipe::config
