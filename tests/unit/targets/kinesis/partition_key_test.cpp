// Which partition key a record is put with: its own, or a top-level field of the delivered JSON,
// and the keys Kinesis would refuse.
#include "targets/kinesis/partition_key.hpp"

#include <gtest/gtest.h>

#include "test_records.hpp"

namespace shardpipe::kinesis_target {
namespace {

using shardpipe::testing::keyed_record;

std::string key_of(PartitionKeySelector& selector, const Record& record) {
  auto key = selector.key_for(record);
  EXPECT_TRUE(key.has_value()) << key.error().message;
  return key.value_or("");
}

TEST(PartitionKey, WithoutAFieldEveryRecordKeepsItsOwnKey) {
  PartitionKeySelector selector("");
  EXPECT_EQ(key_of(selector, keyed_record(1, "customer-7")), "customer-7");
  EXPECT_EQ(key_of(selector, keyed_record(2, "x", "not json at all")), "x");
}

TEST(PartitionKey, AKeyThatIsNotUtf8IsSentAsTheEnvelopeShowsIt) {
  PartitionKeySelector selector("");
  EXPECT_EQ(key_of(selector, keyed_record(1, std::string("\xff\xfe", 2))), "//4=");
}

TEST(PartitionKey, AStringFieldIsTheKeyAsItIs) {
  PartitionKeySelector selector("customerId");
  auto record = keyed_record(1, "own", R"({"eventID":"e","customerId":"c-\u00e9\"42","data":{}})");
  EXPECT_EQ(key_of(selector, record), "c-\xc3\xa9\"42");
}

TEST(PartitionKey, OtherValuesAreTheirJsonTextAsWritten) {
  PartitionKeySelector selector("v");
  EXPECT_EQ(key_of(selector, keyed_record(1, "own", R"({"v":42})")), "42");
  EXPECT_EQ(key_of(selector, keyed_record(2, "own", R"({"v": -1.50e3 , "w":1})")), "-1.50e3");
  EXPECT_EQ(key_of(selector, keyed_record(3, "own", R"({"v":true})")), "true");
  EXPECT_EQ(key_of(selector, keyed_record(4, "own", R"({"v":{"a":[1, 2]}})")), R"({"a":[1, 2]})");
  EXPECT_EQ(key_of(selector, keyed_record(5, "own", R"({"v":[1,"x"] })")), R"([1,"x"])");
}

TEST(PartitionKey, OnlyTheTopLevelFieldCounts) {
  PartitionKeySelector selector("customerId");
  auto nested = keyed_record(1, "own", R"({"data":{"customerId":"inner"}})");
  EXPECT_EQ(key_of(selector, nested), "own");
  auto both = keyed_record(2, "own", R"({"data":{"customerId":"inner"},"customerId":"outer"})");
  EXPECT_EQ(key_of(selector, both), "outer");
}

TEST(PartitionKey, MissingNullOrNotJsonFallsBackToTheRecordsOwnKey) {
  PartitionKeySelector selector("customerId");
  EXPECT_EQ(key_of(selector, keyed_record(1, "own-1", R"({"other":1})")), "own-1");
  EXPECT_EQ(key_of(selector, keyed_record(2, "own-2", R"({"customerId":null})")), "own-2");
  EXPECT_EQ(key_of(selector, keyed_record(3, "own-3", "Order o-1 is paid")), "own-3");
  EXPECT_EQ(key_of(selector, keyed_record(4, "own-4", R"(["customerId"])")), "own-4");
  EXPECT_EQ(key_of(selector, keyed_record(5, "own-5", R"({"customerId":)")), "own-5");
}

TEST(PartitionKey, EmptyOrOverlongKeysArePermanentErrorsSayingWhereTheKeyCameFrom) {
  PartitionKeySelector own("");
  auto empty = own.key_for(keyed_record(1, "", "{}"));
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().kind, ErrorClass::permanent);
  EXPECT_NE(empty.error().message.find("own partition key is 0 characters"), std::string::npos)
      << empty.error().message;

  PartitionKeySelector field("k");
  auto longest = field.key_for(keyed_record(2, "own", R"({"k":")" + std::string(256, 'a') + "\"}"));
  EXPECT_TRUE(longest.has_value());
  auto too_long =
      field.key_for(keyed_record(3, "own", R"({"k":")" + std::string(257, 'a') + "\"}"));
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().kind, ErrorClass::permanent);
  EXPECT_NE(too_long.error().message.find("field 'k' is 257 characters"), std::string::npos)
      << too_long.error().message;
  EXPECT_FALSE(field.key_for(keyed_record(4, "own", R"({"k":""})")).has_value());
}

TEST(PartitionKey, CharactersAreCountedAsUtf16CodeUnits) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("\xc3\xa9"), 1u);          // é
  EXPECT_EQ(utf16_length("\xe2\x82\xac"), 1u);      // €
  EXPECT_EQ(utf16_length("\xf0\x9f\x98\x80"), 2u);  // an emoji: a surrogate pair
  PartitionKeySelector own("");
  std::string emojis;
  for (int i = 0; i < 129; ++i) emojis += "\xf0\x9f\x98\x80";
  EXPECT_FALSE(own.key_for(keyed_record(1, emojis, "{}")).has_value());
}

}  // namespace
}  // namespace shardpipe::kinesis_target
