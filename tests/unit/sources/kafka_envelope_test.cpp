#include "sources/kafka/kafka_envelope.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace shardpipe::kafka {
namespace {

using nlohmann::json;

KafkaEnvelopeWriter writer(config::DataEncoding data = config::DataEncoding::json) {
  return {"broker1:9092", "orders", 3, data, config::KeyEncoding::text};
}

TEST(KafkaEnvelope, AsLambdaGivesSelfManagedKafka) {
  MessageView message;
  message.offset = 1042;
  message.timestamp_ms = 1795362352291;
  message.timestamp_type = "CREATE_TIME";
  message.key = "customer-17";
  message.value = R"({"order":"A-981","total":12.5})";
  message.headers.emplace_back("trace-id", "abc");
  message.headers.emplace_back("empty", std::nullopt);
  Record out = writer().render(message);
  ASSERT_FALSE(out.decode_failed) << out.decode_error;
  EXPECT_EQ(out.event_id, "orders-3:1042");
  EXPECT_EQ(json::parse(out.envelope), json::parse(R"({
    "eventSource":"SelfManagedKafka","eventID":"orders-3:1042","bootstrapServers":"broker1:9092",
    "topic":"orders","partition":3,"offset":1042,"timestamp":1795362352291,
    "timestampType":"CREATE_TIME","key":"customer-17","value":{"order":"A-981","total":12.5},
    "headers":[{"trace-id":[97,98,99]},{"empty":[]}]})"));
}

// Found by fuzz_kafka_envelope (corpus/kafka_envelope/header_name_not_utf8): a header name that
// is not UTF-8 was copied into the envelope as it was, which made it invalid JSON.
TEST(KafkaEnvelope, AHeaderNameThatIsNotUtf8IsWrittenWithReplacements) {
  MessageView message;
  message.timestamp_type = "CREATE_TIME";
  message.value = "";
  message.headers.emplace_back("\xc3", "x");
  message.headers.emplace_back("a\xff\xc3\xa9\xe2\x82", std::nullopt);
  Record out = writer(config::DataEncoding::base64).render(message);
  ASSERT_FALSE(out.decode_failed);
  ASSERT_TRUE(json::accept(out.envelope)) << out.envelope;
  auto headers = json::parse(out.envelope)["headers"];
  EXPECT_EQ(headers, json::parse(R"([{"\ufffd":[120]},{"a\ufffd\u00e9\ufffd\ufffd":[]}])"));
}

}  // namespace
}  // namespace shardpipe::kafka
