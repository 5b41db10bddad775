#include "sources/dynamodb/attribute_values.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace shardpipe::dynamodb {
namespace {

std::string plain(const std::string& item_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element item;
  EXPECT_EQ(parser.parse(simdjson::padded_string(item_json)).get(item), simdjson::SUCCESS);
  std::string out;
  auto appended = append_plain_item(out, item);
  if (!appended) return "error: " + appended.error().message;
  return out;
}

TEST(AttributeValues, EveryTypeBecomesPlainJson) {
  std::string item = R"({
    "s": {"S": "text \"q\" ü"}, "n": {"N": "12"}, "b": {"B": "AAEC/v8="},
    "t": {"BOOL": true}, "f": {"BOOL": false}, "z": {"NULL": true},
    "m": {"M": {"inner": {"S": "x"}, "deeper": {"M": {"ok": {"BOOL": true}}}}},
    "l": {"L": [{"S": "a"}, {"N": "1"}, {"NULL": true}, {"L": [{"B": "eg=="}]}]},
    "ss": {"SS": ["green", "red"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": ["b25l", "AQ=="]}
  })";
  auto out = plain(item);
  ASSERT_TRUE(nlohmann::json::accept(out)) << out;
  EXPECT_EQ(nlohmann::json::parse(out), nlohmann::json::parse(R"({
    "s": "text \"q\" ü", "n": 12, "b": "AAEC/v8=", "t": true, "f": false, "z": null,
    "m": {"inner": "x", "deeper": {"ok": true}}, "l": ["a", 1, null, ["eg=="]],
    "ss": ["green", "red"], "ns": [1, 2.5], "bs": ["b25l", "AQ=="]})"));
}

TEST(AttributeValues, NumbersKeepDynamoDbsDigits) {
  // Written as they are: no double in between to round them.
  EXPECT_EQ(plain(R"({"a":{"N":"12345678901234567890.123456789"}})"),
            R"({"a":12345678901234567890.123456789})");
  EXPECT_EQ(plain(R"({"a":{"N":"-0.000001"}})"), R"({"a":-0.000001})");
  EXPECT_EQ(plain(R"({"a":{"N":"1E+125"}})"), R"({"a":1E+125})");
  EXPECT_EQ(plain(R"({"a":{"N":"9223372036854775807"}})"), R"({"a":9223372036854775807})");
  // Integers beyond 64 bits, which most JSON readers cannot hold: strings, digits intact.
  EXPECT_EQ(plain(R"({"a":{"NS":["1","99999999999999999999999999999999999999"]}})"),
            R"({"a":[1,"99999999999999999999999999999999999999"]})");
  EXPECT_EQ(plain(R"({"a":{"N":"-99999999999999999999"}})"), R"({"a":"-99999999999999999999"})");
  // Not a JSON number at all: a string, as it came.
  EXPECT_EQ(plain(R"({"a":{"N":".5"}})"), R"({"a":".5"})");
  EXPECT_EQ(plain(R"({"a":{"N":"01"}})"), R"({"a":"01"})");
}

TEST(AttributeValues, PortableNumbers) {
  EXPECT_TRUE(is_portable_json_number("0"));
  EXPECT_TRUE(is_portable_json_number("-1.5e-130"));
  EXPECT_TRUE(is_portable_json_number("18446744073709551615"));  // uint64's largest
  EXPECT_FALSE(is_portable_json_number("18446744073709551616"));
  EXPECT_FALSE(is_portable_json_number("+1"));
  EXPECT_FALSE(is_portable_json_number("1."));
  EXPECT_FALSE(is_portable_json_number("NaN"));
  EXPECT_FALSE(is_portable_json_number(""));
}

// Found by fuzz_dynamodb_stream_record
// (corpus/dynamodb_stream_record/number_exponent_beyond_double): a number that is valid JSON text
// but beyond any double was written as a number, so the plain image was JSON no reader accepts.
TEST(AttributeValues, AnExponentBeyondAnyDoubleIsAString) {
  EXPECT_FALSE(is_portable_json_number("5e456"));
  EXPECT_FALSE(is_portable_json_number("-1E+400"));
  EXPECT_TRUE(is_portable_json_number("9.9999999999999999999999999999999999999E+125"));
  EXPECT_EQ(plain(R"({"a":{"N":"5e456"},"b":{"NS":["1e400","2"]}})"),
            R"({"a":"5e456","b":["1e400",2]})");
}

TEST(AttributeValues, UnknownTypesAreNamedErrors) {
  EXPECT_EQ(plain(R"({"odd":{"X":"1"}})"), "error: attribute odd: unknown type X");
  EXPECT_EQ(plain(R"({"two":{"S":"a","N":"1"}})"),
            "error: attribute two: not a typed value (an object with one type member)");
  EXPECT_EQ(plain(R"({"n":{"N":5}})"), "error: attribute n: N is not a string");
}

}  // namespace
}  // namespace shardpipe::dynamodb
