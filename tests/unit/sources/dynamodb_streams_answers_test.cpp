#include "sources/dynamodb/dynamodb_streams_answers.hpp"

#include <gtest/gtest.h>

namespace shardpipe::dynamodb {
namespace {

const std::string record_a =
    R"({"eventID":"a","dynamodb":{"Keys":{"pk":{"S":"a"}},"SequenceNumber":"100"}})";
const std::string record_b =
    R"({"eventID":"b","dynamodb":{"Keys":{"pk":{"S":"b"}},"SequenceNumber":"200"}})";

TEST(DynamoDbStreamsAnswers, GetRecordsKeepsEachRecordsText) {
  auto page = parse_get_records(R"({"Records":[ )" + record_a + " , " + record_b +
                                R"(],"NextShardIterator":"it"})");
  ASSERT_TRUE(page.has_value()) << page.error().error.message;
  ASSERT_EQ(page->records.size(), 2u);
  EXPECT_EQ(page->records[0].text, record_a);
  EXPECT_EQ(page->records[0].event_id, "a");
  EXPECT_EQ(page->records[0].item_key, "pk=S:a");
  EXPECT_EQ(page->records[1].text, record_b);
  EXPECT_EQ(page->records[1].sequence_number, "200");
  EXPECT_EQ(page->next_iterator, "it");
}

// Found while writing fuzz_dynamodb_stream_record (corpus/dynamodb_stream_record/
// records_member_twice_once_escaped): the parser reads the first "Records" (its name unescaped),
// the text scan the second, so records were paired with another record's text, or with a text
// that is no record at all, whose envelope was not JSON.
TEST(DynamoDbStreamsAnswers, ARecordsFieldsComeFromTheTextItKeeps) {
  auto page =
      parse_get_records(R"({"Rec\u006frds":[)" + record_a + R"(],"Records":[)" + record_b + "]}");
  ASSERT_TRUE(page.has_value()) << page.error().error.message;
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].text, record_b);
  EXPECT_EQ(page->records[0].event_id, "b");
  EXPECT_EQ(page->records[0].sequence_number, "200");

  auto odd = parse_get_records(R"({"Rec\u006frds":[)" + record_a + R"(],"Records":[1]})");
  ASSERT_FALSE(odd.has_value());
  EXPECT_TRUE(odd.error().error.is_retriable());
}

// Found while writing fuzz_dynamodb_stream_record (corpus/dynamodb_stream_record/
// creation_time_beyond_64_bits): the conversion to milliseconds was undefined behaviour.
TEST(DynamoDbStreamsAnswers, ACreationTimeBeyond64BitsIsUnknown) {
  for (const char* time : {"1e300", "-1e300", "9223372036854775807"}) {
    std::string record = R"({"eventID":"a","dynamodb":{"Keys":{},"SequenceNumber":"1",)";
    record += R"("ApproximateCreationDateTime":)";
    record += time;
    record += "}}";
    auto page = parse_get_records(R"({"Records":[)" + record + "]}");
    ASSERT_TRUE(page.has_value()) << time;
    EXPECT_EQ(page->records[0].created_ms, 0) << time;
  }
  auto page =
      parse_get_records(R"({"Records":[{"eventID":"a","dynamodb":{"Keys":{},"SequenceNumber":"1",)"
                        R"("ApproximateCreationDateTime":1795341360.5}}]})");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->records[0].created_ms, 1795341360500);
}

// Found while writing fuzz_dynamodb_stream_record (corpus/dynamodb_stream_record/
// stream_specification_not_an_object): json::value() threw out of the parser.
TEST(DynamoDbStreamsAnswers, AStreamSpecificationOfTheWrongShapeMeansNoStream) {
  for (const char* specification : {"1", R"({"StreamEnabled":"yes"})", "[]"}) {
    std::string body = R"({"Table":{"LatestStreamArn":"arn:x","StreamSpecification":)";
    body += specification;
    body += "}}";
    auto arn = parse_latest_stream_arn(body, "orders");
    ASSERT_FALSE(arn.has_value()) << specification;
    EXPECT_EQ(arn.error().error.kind, ErrorClass::fatal);
  }
  auto arn = parse_latest_stream_arn(
      R"({"Table":{"LatestStreamArn":"arn:x","StreamSpecification":{"StreamEnabled":true}}})",
      "orders");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(*arn, "arn:x");
}

// Found while writing fuzz_dynamodb_stream_record (corpus/dynamodb_stream_record/
// shard_id_leaving_the_folder): shard ids name the file target's folders.
TEST(DynamoDbStreamsAnswers, AShardIdOutsideTheServicesPatternIsRefused) {
  StreamInfo stream;
  auto next =
      parse_describe_stream(R"({"StreamDescription":{"Shards":[{"ShardId":"/tmp/x"}]}})", stream);
  ASSERT_FALSE(next.has_value());
  EXPECT_TRUE(next.error().error.is_retriable());

  auto good = parse_describe_stream(
      R"({"StreamDescription":{"StreamStatus":"ENABLED","Shards":[{"ShardId":)"
      R"("shardId-00000001795341360000-8d18da05","ParentShardId":"shardId-0"}],)"
      R"("LastEvaluatedShardId":"shardId-00000001795341360000-8d18da05"}})",
      stream);
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(*good, "shardId-00000001795341360000-8d18da05");
  EXPECT_EQ(stream.status, "ENABLED");
  ASSERT_EQ(stream.shards.size(), 1u);
  EXPECT_EQ(stream.shards[0].parent_shard_id, "shardId-0");
  EXPECT_TRUE(stream.shards[0].open);
}

}  // namespace
}  // namespace shardpipe::dynamodb
