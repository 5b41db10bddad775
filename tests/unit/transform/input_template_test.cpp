// Input templates: the EventBridge Pipes input-transformation examples, JSON and text templates,
// missing paths, escaping, and templates that are rejected.
#include "transform/input_template.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace shardpipe::transform {
namespace {

using ::testing::HasSubstr;

// "Amazon EventBridge Pipes input transformation": the sample EC2 event.
constexpr std::string_view kEc2Event = R"({
  "version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "123456789012", "time": "2015-11-11T21:29:54Z", "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  "detail": {"instance-id": "i-0123456789", "state": "RUNNING"}})";

// An SQS-like record as in the page's other examples.
constexpr std::string_view kSqsEvent = R"({
  "messageId": "m-1", "attributes": {"SenderId": "AIDAIENQZJOLO23YVJ4VO"},
  "body": {"key": "value-1", "Records": [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]}})";

// shardpipe's local envelope with JSON data.
constexpr std::string_view kLocalEnvelope = R"({"eventSource":"shardpipe:local",
  "eventID":"shardId-000000000000:00000000000000000042","partitionKey":"customer-7",
  "approximateArrivalTimestamp":1795341600.25,
  "data":{"order":{"id":"o-1","amount":42.5,"paid":true,"coupon":null,
                   "note":"say \"hi\"\n","lines":[{"sku":"A-1"},{"sku":"B-7"}]}}})";

InputTemplate compiled(std::string_view text) {
  auto result = compile_template(text);
  EXPECT_TRUE(result.has_value()) << text << ": " << result.error().message;
  return std::move(*result);
}

std::string applied(std::string_view text, std::string_view envelope) {
  auto output = compiled(text).apply(envelope);
  EXPECT_TRUE(output.has_value()) << output.error().message;
  return output.value_or("");
}

nlohmann::json json_of(const std::string& text) {
  return nlohmann::json::parse(text);
}

TEST(InputTemplate, StaticString) {
  EXPECT_EQ(applied("Hello, sender", kSqsEvent), "Hello, sender");
  EXPECT_FALSE(compiled("Hello, sender").is_json());
}

TEST(InputTemplate, JsonPathAlone) {
  EXPECT_EQ(applied("<$.attributes.SenderId>", kSqsEvent), "AIDAIENQZJOLO23YVJ4VO");
}

TEST(InputTemplate, DynamicString) {
  EXPECT_EQ(applied("Hello, <$.attributes.SenderId>", kSqsEvent), "Hello, AIDAIENQZJOLO23YVJ4VO");
}

TEST(InputTemplate, StaticJson) {
  std::string out = applied(R"({"key1": "value1", "key2": "value2", "key3": "value3"})", kSqsEvent);
  EXPECT_EQ(json_of(out), json_of(R"({"key1":"value1","key2":"value2","key3":"value3"})"));
}

TEST(InputTemplate, DynamicJson) {
  std::string out = applied(R"({"key1": "value1", "key2": <$.body.key>})", kSqsEvent);
  EXPECT_EQ(out, R"({"key1": "value1", "key2": "value-1"})");
}

TEST(InputTemplate, SquareBracketsSelectAnArrayItem) {
  std::string out = applied(R"({"key1": "value1", "key2": <$.body.Records[3]>})", kSqsEvent);
  EXPECT_EQ(json_of(out), json_of(R"({"key1":"value1","key2":{"n":3}})"));
}

TEST(InputTemplate, TheTransformerExampleOfThePage) {
  std::string out = applied(R"({
  "instance" : <$.detail.instance-id>,
  "state": <$.detail.state>,
  "originalEvent" : <aws.pipes.event.json>
})",
                            kEc2Event);
  nlohmann::json result = json_of(out);
  EXPECT_EQ(result["instance"], "i-0123456789");
  EXPECT_EQ(result["state"], "RUNNING");
  EXPECT_EQ(result["originalEvent"], json_of(std::string(kEc2Event)));
}

TEST(InputTemplate, WrappingTheBodyInJsonKeepsItJson) {
  // The page's advice: {"data": <$.data>} delivers the original payload as JSON.
  std::string out = applied(R"({"data": <$.data>})", kLocalEnvelope);
  EXPECT_EQ(json_of(out)["data"], json_of(std::string(kLocalEnvelope))["data"]);
}

TEST(InputTemplate, JsonValuesKeepTheirTypes) {
  std::string out = applied(
      R"({"id": <$.data.order.id>, "amount": <$.data.order.amount>, "paid": <$.data.order.paid>,
          "coupon": <$.data.order.coupon>, "lines": <$.data.order.lines>, "at": <$.approximateArrivalTimestamp>})",
      kLocalEnvelope);
  nlohmann::json result = json_of(out);
  EXPECT_EQ(result["id"], "o-1");
  EXPECT_EQ(result["amount"], 42.5);
  EXPECT_EQ(result["paid"], true);
  EXPECT_TRUE(result["coupon"].is_null());
  EXPECT_EQ(result["lines"], json_of(R"([{"sku":"A-1"},{"sku":"B-7"}])"));
  EXPECT_EQ(result["at"], 1795341600.25);
}

TEST(InputTemplate, PlaceholdersInsideStringsAreEscapedText) {
  std::string out = applied(
      R"({"summary": "order <$.data.order.id> of <$.partitionKey>: <$.data.order.note>",
          "amount": "<$.data.order.amount>", "lines": "<$.data.order.lines>"})",
      kLocalEnvelope);
  nlohmann::json result = json_of(out);
  EXPECT_EQ(result["summary"], "order o-1 of customer-7: say \"hi\"\n");
  EXPECT_EQ(result["amount"], "42.5");
  EXPECT_EQ(result["lines"], R"([{"sku":"A-1"},{"sku":"B-7"}])");
}

TEST(InputTemplate, TheMappingFormOfThePipeFileInsertsText) {
  // transform: { id: <$.eventID>, amount: <$.data.order.amount> } is kept as this JSON.
  std::string out =
      applied(R"({"id":"<$.eventID>","amount":"<$.data.order.amount>"})", kLocalEnvelope);
  EXPECT_EQ(out, R"({"id":"shardId-000000000000:00000000000000000042","amount":"42.5"})");
}

TEST(InputTemplate, TextTemplatesInsertStringsAsTheyAreAndOtherValuesAsJson) {
  EXPECT_EQ(applied("<$.data.order.id> costs <$.data.order.amount> (<$.data.order.paid>)",
                    kLocalEnvelope),
            "o-1 costs 42.5 (true)");
  EXPECT_EQ(applied("note: <$.data.order.note>", kLocalEnvelope), "note: say \"hi\"\n");
  EXPECT_EQ(applied("<$.data.order.lines[1]>", kLocalEnvelope), R"({"sku":"B-7"})");
  // The whole body, as JSON text (EventBridge would strip its quotes instead).
  EXPECT_EQ(json_of(applied("<$.data>", kLocalEnvelope)),
            json_of(std::string(kLocalEnvelope))["data"]);
}

TEST(InputTemplate, TheWholeRecord) {
  for (std::string_view text : {"<$>", "<aws.pipes.event>", "<aws.pipes.event.json>"}) {
    EXPECT_EQ(json_of(applied(text, kEc2Event)), json_of(std::string(kEc2Event))) << text;
  }
  EXPECT_EQ(json_of(applied(R"({"record": <$>})", kSqsEvent))["record"]["messageId"], "m-1");
}

TEST(InputTemplate, MissingPathsInsertNothingOrNull) {
  // "If you specify a variable to match a JSON path that doesn't exist in the event, that
  // variable isn't created and won't appear in the output."
  EXPECT_EQ(applied("Hello, <$.attributes.Nobody>!", kSqsEvent), "Hello, !");
  EXPECT_EQ(applied(R"({"who": "<$.attributes.Nobody>"})", kSqsEvent), R"({"who": ""})");
  // Where a JSON value must stand, null keeps the output JSON.
  EXPECT_EQ(applied(R"({"who": <$.attributes.Nobody>, "n": <$.body.Records[9]>})", kSqsEvent),
            R"({"who": null, "n": null})");
  EXPECT_EQ(applied(R"([<$.nothing.here>])", kSqsEvent), "[null]");
  // A member of something that is not an object, an index of something that is not an array.
  EXPECT_EQ(applied("[<$.messageId.length>, <$.attributes[0]>]", kSqsEvent), "[null, null]");
}

TEST(InputTemplate, WildcardsInsertTheArrayOfWhatTheySelect) {
  EXPECT_EQ(applied(R"({"skus": <$.data.order.lines[*].sku>})", kLocalEnvelope),
            R"({"skus": ["A-1","B-7"]})");
  EXPECT_EQ(applied(R"({"n": <$.body.Records[*].n>})", kSqsEvent), R"({"n": [0,1,2,3]})");
  EXPECT_EQ(applied(R"({"attributes": <$.attributes.*>})", kSqsEvent),
            R"({"attributes": ["AIDAIENQZJOLO23YVJ4VO"]})");
  EXPECT_EQ(applied(R"({"none": <$.body.Records[*].missing>})", kSqsEvent), R"({"none": null})");
}

TEST(InputTemplate, PathsWithDashesSlashesAndUnderscores) {
  constexpr std::string_view event = R"({"detail-type":"x","a/b":{"c_d":1}})";
  EXPECT_EQ(applied("<$.detail-type>/<$.a/b.c_d>", event), "x/1");
}

TEST(InputTemplate, AngleBracketsThatAreNotPlaceholdersAreText) {
  EXPECT_EQ(applied("<b><$.messageId></b> 1 < 2", kSqsEvent), "<b>m-1</b> 1 < 2");
  EXPECT_EQ(applied(R"({"html": "<b>x</b>", "cmp": "1 < 2"})", kSqsEvent),
            R"({"html": "<b>x</b>", "cmp": "1 < 2"})");
}

TEST(InputTemplate, EscapedQuotesInJsonStringsDoNotEndTheString) {
  EXPECT_EQ(applied(R"({"q": "a \"quoted\" <$.messageId>"})", kSqsEvent),
            R"({"q": "a \"quoted\" m-1"})");
}

TEST(InputTemplate, UnicodeIsCopiedAsItIs) {
  constexpr std::string_view event = R"({"name":"Zoë 東京","emoji":"\ud83d\ude00"})";
  EXPECT_EQ(json_of(applied(R"({"n": "<$.name>", "e": <$.emoji>})", event))["n"], "Zoë 東京");
  EXPECT_EQ(json_of(applied(R"({"n": "<$.name>", "e": <$.emoji>})", event))["e"], "\U0001F600");
}

TEST(InputTemplate, AppendsToAnOutputBuffer) {
  InputTemplate input = compiled(R"({"id": <$.messageId>})");
  std::string out = "[";
  ASSERT_TRUE(input.apply_to(kSqsEvent, out).has_value());
  out += ",";
  ASSERT_TRUE(input.apply_to(kSqsEvent, out).has_value());
  EXPECT_EQ(out, R"([{"id": "m-1"},{"id": "m-1"})");
  EXPECT_FALSE(input.apply_to("not json", out).has_value());
  EXPECT_EQ(out, R"([{"id": "m-1"},{"id": "m-1"})") << "left as it was";
}

TEST(InputTemplate, ARecordThatIsNotJsonIsATransformError) {
  auto output = compiled(R"({"id": <$.messageId>})").apply("plain text, not JSON");
  ASSERT_FALSE(output.has_value());
  EXPECT_EQ(output.error().kind, ErrorClass::permanent);
  EXPECT_THAT(output.error().message, HasSubstr("the record is not valid JSON"));
  EXPECT_FALSE(compiled("Hello").apply("{").has_value()) << "text templates read JSON too";
}

TEST(InputTemplate, IsThreadSafe) {
  InputTemplate input = compiled(R"({"id": <$.data.order.id>})");
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto out = input.apply(kLocalEnvelope);
        if (out && *out == R"({"id": "o-1"})") ++good;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(good.load(), 2000);
}

// The examples of docs/filtering.md, per source.
TEST(InputTemplate, ExamplesOfTheGuide) {
  constexpr std::string_view local =
      R"({"eventSource":"shardpipe:local","eventID":"shardId-000000000000:42",
    "partitionKey":"customer-7","data":{"status":"paid","order":{"id":"o-1","amount":42.5}}})";
  constexpr std::string_view kafka =
      R"({"eventSource":"SelfManagedKafka","eventID":"payments-3:1500",
    "topic":"payments","partition":3,"offset":1500,"key":"order-981",
    "value":{"amount":150,"currency":"EUR","refunded":false}})";
  constexpr std::string_view dynamodb = R"({"eventName":"MODIFY","dynamodb":{
    "Keys":{"pk":{"S":"order#o-1"}},"NewImage":{"pk":{"S":"order#o-1"},"status":{"S":"paid"}}}})";
  EXPECT_EQ(applied(R"({"id": <$.eventID>, "order": <$.data.order>})", local),
            R"({"id": "shardId-000000000000:42", "order": {"id":"o-1","amount":42.5}})");
  EXPECT_EQ(applied("Order <$.data.order.id> is <$.data.status>", local), "Order o-1 is paid");
  EXPECT_EQ(
      applied(
          R"({"key": <$.key>, "amount": <$.value.amount>, "note": "from <$.topic>/<$.partition>"})",
          kafka),
      R"({"key": "order-981", "amount": 150, "note": "from payments/3"})");
  EXPECT_EQ(applied(R"({"id":"<$.eventID>","amount":"<$.value.amount>"})", kafka),
            R"({"id":"payments-3:1500","amount":"150"})");
  EXPECT_EQ(applied(R"({"pk": <$.dynamodb.Keys.pk.S>, "new": <$.dynamodb.NewImage>})", dynamodb),
            R"({"pk": "order#o-1", "new": {"pk":{"S":"order#o-1"},"status":{"S":"paid"}}})");
}

struct InvalidTemplate {
  std::string_view text;
  std::string_view error;
};

TEST(InputTemplate, InvalidTemplatesAreRejectedWithWhereAndWhy) {
  const InvalidTemplate cases[] = {
      {"", "the template is empty"},
      {"  \n ", "the template is empty"},
      {R"({"key1": "value1" "key2": <$.body.key>})",
       "the template starts like JSON but is not valid JSON: syntax error"},
      {R"({"key1": "value1",})", "not valid JSON"},
      {"{\n  \"a\": 1,\n  \"b\": <$.x> <$.y>\n}",
       "unexpected placeholder; expected '}' (at line 3, column 14 of the template)"},
      {R"({<$.id>: 1})", "a placeholder cannot be an object key"},
      {R"({<$.id>: 1})", "(at line 1, column 2 of the template)"},
      {"Hello <$.name", "a placeholder is not closed with '>' (at line 1, column 7"},
      {"<$.a..b>", "<$.a..b> a member name is missing after '.' at character 4 of the path"},
      {"<$.a[x]>", "an array index must be a number or '*', got '[x]'"},
      {"<$.a[1>", "'[' is not closed"},
      {"<$ a>", "unexpected ' '"},
      {"<aws.pipes.pipe-arn>", "<aws.pipes.pipe-arn> is not supported"},
      {"<aws.events.event>", "is not supported"},
  };
  for (const InvalidTemplate& c : cases) {
    auto result = compile_template(c.text);
    ASSERT_FALSE(result.has_value()) << c.text;
    EXPECT_EQ(result.error().kind, ErrorClass::permanent);
    EXPECT_THAT(result.error().message, HasSubstr(std::string(c.error))) << c.text;
  }
  std::string long_template(kMaxTemplateChars + 1, 'x');
  auto result = compile_template(long_template);
  ASSERT_FALSE(result.has_value());
  EXPECT_THAT(result.error().message, HasSubstr("EventBridge allows at most 8192"));
}

// Found by fuzz/input_template_fuzzer (fuzz/corpus/input_template/nul_after_json): the check
// stopped at the NUL byte, so the template compiled, and then every record failed as a
// TransformError because the output is not JSON.
TEST(InputTemplate, AJsonTemplateWithANulByteIsRejected) {
  using namespace std::string_view_literals;
  auto after = compile_template("{\"id\": <$.eventID>}\0 trailing"sv);
  ASSERT_FALSE(after.has_value());
  EXPECT_THAT(after.error().message,
              HasSubstr("not valid JSON: it holds a NUL byte (at line 1, column 20"));
  auto inside = compile_template("{\"note\": \"a\0b <$.eventID>\"}"sv);
  ASSERT_FALSE(inside.has_value());
  EXPECT_THAT(inside.error().message, HasSubstr("it holds a NUL byte (at line 1, column 12"));
  // Written as JSON's escape, it is fine.
  EXPECT_EQ(applied(R"({"note": "a\u0000b"})", kLocalEnvelope), R"({"note": "a\u0000b"})");
}

// Found by fuzz/input_template_fuzzer (fuzz/corpus/input_template/placeholder_inside_escape):
// the check filled text placeholders with nothing, so "\u1<$.x>5e9" read as the escape \u15e9 and
// compiled, and then the text the placeholder inserts broke the escape for every record.
TEST(InputTemplate, APlaceholderInsideAnEscapeSequenceIsRejected) {
  for (std::string_view text : {R"({"b": "\u1<$.data.order>5e9"})", R"({"b": "x\<$.eventID>n"})"}) {
    auto result = compile_template(text);
    ASSERT_FALSE(result.has_value()) << text;
    EXPECT_THAT(result.error().message,
                HasSubstr("the template starts like JSON but is not valid JSON"));
  }
  // A whole escape next to a placeholder is fine.
  EXPECT_EQ(applied(R"({"b": "\u00e9<$.partitionKey>\n"})", kLocalEnvelope),
            "{\"b\": \"\\u00e9customer-7\\n\"}");
}

// Found by fuzz/input_template_fuzzer (fuzz/corpus/input_template/number_overflow): nlohmann's
// parser throws out_of_range, not parse_error, for such a number, and nothing caught it.
TEST(InputTemplate, ANumberTooLargeForADoubleIsRejected) {
  auto result = compile_template(R"({"id": <$.eventID>, "n": 3e999})");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message,
            "the template starts like JSON but is not valid JSON: number overflow parsing '3e999'");
}

// Found by fuzz/input_template_fuzzer (fuzz/corpus/input_template/integer_beyond_64_bits): the
// check read the template with nlohmann, which takes such an integer as a double, and then
// every output failed the check of apply(), which reads JSON as simdjson does.
TEST(InputTemplate, WhatApplyCannotReadIsRejected) {
  auto big = compile_template(R"({"id": <$.eventID>, "n": 77777777777777777777777000000000001})");
  ASSERT_FALSE(big.has_value());
  EXPECT_THAT(big.error().message,
              HasSubstr("the template starts like JSON but is not valid JSON"));
  std::string deep = std::string(1100, '[') + "<$.eventID>" + std::string(1100, ']');
  auto nested = compile_template(deep);
  ASSERT_FALSE(nested.has_value());
  EXPECT_THAT(nested.error().message,
              HasSubstr("the template starts like JSON but is not valid JSON"));
  EXPECT_EQ(applied(R"({"n": 18446744073709551615, "m": -9223372036854775808})", kLocalEnvelope),
            R"({"n": 18446744073709551615, "m": -9223372036854775808})");
}

}  // namespace
}  // namespace shardpipe::transform
