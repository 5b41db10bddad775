// What a record does to a mirror table: DynamoDB Streams records by their Keys, eventName and
// SequenceNumber; other records by partition key, with "data": null as a delete.
#include "targets/postgres/mirror_change.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace shardpipe::postgres_target {
namespace {

Record record_with(std::string envelope, std::string key = "", std::string sequence = "7") {
  Record record;
  record.ordinal = 1;
  record.sequence_number = std::move(sequence);
  record.event_id = "shardId-000000000000:" + record.sequence_number;
  record.partition_key = std::move(key);
  record.envelope = std::move(envelope);
  return record;
}

// A DynamoDB Streams record as the dynamodb_streams source delivers it; `plain` adds the
// data_encoding json fields.
std::string dynamodb_record(std::string_view event_name, bool plain, bool new_image = true) {
  std::string images =
      new_image ? R"(,"NewImage":{"n":{"N":"12"},"id":{"S":"a"},"sk":{"N":"3"}})" : "";
  std::string plain_fields =
      plain ? R"(,"keys":{"sk":3,"id":"a"},"newImage":{"id":"a","sk":3,"n":12})" : "";
  return fmt::format(
      R"({{"eventID":"e1","eventName":"{}","eventVersion":"1.1","eventSource":"aws:dynamodb",)"
      R"("awsRegion":"us-east-1","dynamodb":{{"ApproximateCreationDateTime":1700000000,)"
      R"("Keys":{{"sk":{{"N":"3"}},"id":{{"S":"a"}}}}{},"SequenceNumber":"000000000000000000012345",)"
      R"("SizeBytes":26,"StreamViewType":"{}"}},"eventSourceARN":"arn:aws:dynamodb:x"{}}})",
      event_name, images, new_image ? "NEW_AND_OLD_IMAGES" : "KEYS_ONLY", plain_fields);
}

MirrorChange change_of(const Record& record) {
  auto change = mirror_change(record);
  EXPECT_TRUE(change) << record.envelope << ": " << change.error().message;
  return change.value_or(MirrorChange{});
}

TEST(MirrorChange, DynamoDbInsertWithTypedImagesOnly) {
  auto change = change_of(record_with(dynamodb_record("INSERT", false), "ignored", "1"));
  EXPECT_EQ(change.key, R"({"id":{"S":"a"},"sk":{"N":"3"}})");
  ASSERT_TRUE(change.item);
  EXPECT_EQ(*change.item, R"({"n":{"N":"12"},"id":{"S":"a"},"sk":{"N":"3"}})");
  // The stream's own sequence number, not the record's.
  EXPECT_EQ(change.position.sequence, "12345");
}

TEST(MirrorChange, DynamoDbModifyPrefersThePlainFields) {
  auto change = change_of(record_with(dynamodb_record("MODIFY", true)));
  EXPECT_EQ(change.key, R"({"id":"a","sk":3})");
  ASSERT_TRUE(change.item);
  EXPECT_EQ(*change.item, R"({"id":"a","sk":3,"n":12})");
}

TEST(MirrorChange, DynamoDbRemoveIsADeleteOfTheSameKey) {
  auto removed = change_of(record_with(dynamodb_record("REMOVE", false, false)));
  EXPECT_FALSE(removed.item);
  auto inserted = change_of(record_with(dynamodb_record("INSERT", false)));
  EXPECT_EQ(removed.key, inserted.key);
}

TEST(MirrorChange, DynamoDbWithoutNewImageCannotBeMirrored) {
  auto change = mirror_change(record_with(dynamodb_record("MODIFY", false, false)));
  ASSERT_FALSE(change);
  EXPECT_EQ(change.error().kind, ErrorClass::permanent);
  EXPECT_NE(change.error().message.find("KEYS_ONLY"), std::string::npos) << change.error().message;
}

TEST(MirrorChange, DynamoDbWithAnUnknownEventNameIsRefused) {
  auto change = mirror_change(record_with(dynamodb_record("TRUNCATE", false)));
  ASSERT_FALSE(change);
  EXPECT_EQ(change.error().kind, ErrorClass::permanent);
}

TEST(MirrorChange, AKeyedRecordIsStoredWholeUnderItsPartitionKey) {
  std::string envelope =
      R"({"eventSource":"shardpipe:local","eventID":"s:42","partitionKey":"k1","data":{"v":1}})";
  auto change = change_of(record_with(envelope, "k1", "00042"));
  EXPECT_EQ(change.key, "k1");
  ASSERT_TRUE(change.item);
  EXPECT_EQ(*change.item, envelope);
  EXPECT_EQ(change.position.sequence, "42");
}

TEST(MirrorChange, DataNullIsADelete) {
  auto change =
      change_of(record_with(R"({"eventSource":"shardpipe:local","data" : null})", "k1", "43"));
  EXPECT_FALSE(change.item);
  // A nested null is data like any other.
  auto nested = change_of(record_with(R"({"data":{"data":null}})", "k1", "44"));
  EXPECT_TRUE(nested.item);
}

TEST(MirrorChange, KplSubRecordsKeepTheirOrder) {
  auto first = change_of(record_with(R"({"data":1})", "k", "900:0"));
  auto last = change_of(record_with(R"({"data":2})", "k", "900"));
  EXPECT_LT(first.position, last.position);
}

TEST(MirrorChange, ARecordWithoutAPartitionKeyOrSequenceIsRefused) {
  for (const auto& record :
       {record_with(R"({"data":1})", ""), record_with(R"({"data":1})", std::string("\xff", 1)),
        record_with(R"({"data":1})", "k", "not-a-number"), record_with("[1,2]", "k"),
        record_with("{not json", "k")}) {
    auto change = mirror_change(record);
    EXPECT_FALSE(change) << record.envelope;
    if (!change) {
      EXPECT_EQ(change.error().kind, ErrorClass::permanent);
    }
  }
}

}  // namespace
}  // namespace shardpipe::postgres_target
