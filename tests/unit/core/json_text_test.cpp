#include "core/json_text.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace shardpipe {
namespace {

std::string as_json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(JsonText, EscapesWhatJsonRequires) {
  EXPECT_EQ(as_json_string("plain"), "\"plain\"");
  EXPECT_EQ(as_json_string("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(as_json_string("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(as_json_string(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
  EXPECT_EQ(as_json_string(std::string("\0", 1)), R"("\u0000")");
  EXPECT_EQ(as_json_string("ünïcødé ✓"), "\"ünïcødé ✓\"") << "valid UTF-8 passes through";
}

TEST(JsonText, AgreesWithAJsonParserOnRandomText) {
  std::mt19937 random(42);
  std::uniform_int_distribution<int> byte(0, 127);
  std::uniform_int_distribution<int> length(0, 64);
  for (int round = 0; round < 5000; ++round) {
    std::string text;
    for (int i = length(random); i > 0; --i) text.push_back(static_cast<char>(byte(random)));
    auto parsed = nlohmann::json::parse(as_json_string(text));
    ASSERT_EQ(parsed.get<std::string>(), text);
  }
}

TEST(JsonText, ValidatesUtf8AndJson) {
  EXPECT_TRUE(is_valid_utf8("héllo"));
  EXPECT_FALSE(is_valid_utf8("\xff\xfe"));
  EXPECT_TRUE(is_valid_json(R"({"a":[1,2,{"b":null}]})"));
  EXPECT_FALSE(is_valid_json(R"({"a":)"));
  EXPECT_FALSE(is_valid_json("not json"));
}

TEST(JsonText, Base64RoundTrips) {
  for (const std::string& text : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba",
                                                          "foobar", std::string("\0\xff\x10", 3)}) {
    std::string decoded;
    ASSERT_TRUE(base64_decode(base64_encode(text), decoded));
    EXPECT_EQ(decoded, text);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  std::string ignored;
  EXPECT_FALSE(base64_decode("abc", ignored));
}

}  // namespace
}  // namespace shardpipe
