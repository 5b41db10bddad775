#include "sources/dynamodb/stream_record_envelope.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace shardpipe::dynamodb {
namespace {

// As DynamoDB Local sends one (attribute order and number formats included).
const std::string modify_text =
    R"({"eventID":"6b1c","eventName":"MODIFY","eventVersion":"1.1","eventSource":"aws:dynamodb",)"
    R"("awsRegion":"ddblocal","dynamodb":{"ApproximateCreationDateTime":1795341360.000,)"
    R"("Keys":{"sk":{"N":"5"},"pk":{"S":"key-1"}},"NewImage":{"n":{"N":"1005"},"pk":{"S":"key-1"},)"
    R"("sk":{"N":"5"}},"OldImage":{"n":{"N":"5"},"pk":{"S":"key-1"},"sk":{"N":"5"}},)"
    R"("SequenceNumber":"000000000000000000021","SizeBytes":40,"StreamViewType":"NEW_AND_OLD_IMAGES"}})";
const std::string arn = "arn:aws:dynamodb:ddblocal:000000000000:table/orders/stream/2026-11-22";

StreamRecord record_of(const std::string& text) {
  return {.text = text,
          .event_id = "6b1c",
          .sequence_number = "000000000000000000021",
          .created_ms = 1795341360000,
          .item_key = "pk=S:key-1 sk=N:5"};
}

TEST(StreamRecordEnvelope, TheRecordAsSentWithItsStreamArn) {
  StreamRecordEnvelope writer(arn, config::DataEncoding::base64);
  Record out = writer.render(record_of(modify_text));
  EXPECT_FALSE(out.decode_failed);
  EXPECT_EQ(out.envelope, modify_text.substr(0, modify_text.size() - 1) + R"(,"eventSourceARN":")" +
                              arn + R"("})");
  EXPECT_EQ(out.sequence_number, "000000000000000000021");
  EXPECT_EQ(out.event_id, "6b1c");
  EXPECT_EQ(out.partition_key, "pk=S:key-1 sk=N:5");
  EXPECT_EQ(out.arrival_ms, 1795341360000);
}

TEST(StreamRecordEnvelope, JsonEncodingAddsPlainImages) {
  StreamRecordEnvelope writer(arn, config::DataEncoding::json);
  Record out = writer.render(record_of(modify_text));
  ASSERT_FALSE(out.decode_failed) << out.decode_error;
  auto envelope = nlohmann::json::parse(out.envelope);
  EXPECT_EQ(envelope["keys"], nlohmann::json::parse(R"({"sk":5,"pk":"key-1"})"));
  EXPECT_EQ(envelope["newImage"]["n"], 1005);
  EXPECT_EQ(envelope["oldImage"]["n"], 5);
  EXPECT_EQ(envelope["dynamodb"]["NewImage"]["n"]["N"], "1005");
  EXPECT_EQ(envelope["eventSourceARN"], arn);
  // The service's own text comes first, untouched.
  EXPECT_TRUE(out.envelope.starts_with(modify_text.substr(0, modify_text.size() - 1)));
}

TEST(StreamRecordEnvelope, RemoveHasNoNewImage) {
  std::string remove_text =
      R"({"eventID":"e","eventName":"REMOVE","dynamodb":{"Keys":{"pk":{"S":"a"}},)"
      R"("OldImage":{"pk":{"S":"a"}},"SequenceNumber":"7"}})";
  StreamRecordEnvelope writer(arn, config::DataEncoding::json);
  auto envelope = nlohmann::json::parse(writer.render(record_of(remove_text)).envelope);
  EXPECT_FALSE(envelope.contains("newImage"));
  EXPECT_EQ(envelope["oldImage"], nlohmann::json::parse(R"({"pk":"a"})"));
}

TEST(StreamRecordEnvelope, AnUnknownAttributeTypeIsADecodeError) {
  std::string odd = R"({"eventID":"e","eventName":"INSERT","dynamodb":{"Keys":{"pk":{"S":"a"}},)"
                    R"("NewImage":{"pk":{"S":"a"},"x":{"Q":"?"}},"SequenceNumber":"7"}})";
  StreamRecordEnvelope writer(arn, config::DataEncoding::json);
  Record out = writer.render(record_of(odd));
  EXPECT_TRUE(out.decode_failed);
  EXPECT_TRUE(out.envelope.empty());
  EXPECT_EQ(out.raw_data, odd);
  EXPECT_NE(out.decode_error.find("attribute x: unknown type Q"), std::string::npos)
      << out.decode_error;
}

TEST(StreamRecordEnvelope, ARecordThatNamesItsArnKeepsIt) {
  std::string named = R"({"eventID":"e","eventSourceARN":"mine","dynamodb":{}})";
  StreamRecordEnvelope writer(arn, config::DataEncoding::base64);
  auto record = record_of(named);
  record.names_source_arn = true;
  EXPECT_EQ(writer.render(record).envelope, named);
}

}  // namespace
}  // namespace shardpipe::dynamodb
