#include "sources/kinesis/kinesis_answers.hpp"

#include <gtest/gtest.h>

namespace shardpipe::kinesis {
namespace {

// A malformed answer: retriable, with no AWS error code, saying what was wrong.
template <typename T>
void expect_malformed(const aws::AwsResult<T>& result, std::string_view detail) {
  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(result.error().code.empty());
  EXPECT_TRUE(result.error().error.is_retriable());
  EXPECT_NE(result.error().error.message.find(detail), std::string::npos)
      << result.error().error.message;
}

TEST(KinesisAnswers, GetRecordsAsAwsDocumentsIt) {
  auto page = parse_get_records(
      R"({"MillisBehindLatest":2100,"NextShardIterator":"AAAA","Records":[{"Data":"XzxkYXRhPl8w",)"
      R"("PartitionKey":"partitionKey","ApproximateArrivalTimestamp":1.441215410867E9,)"
      R"("SequenceNumber":"21269319989652663814458848515492872193"}]})");
  ASSERT_TRUE(page.has_value()) << page.error().error.message;
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].data, "_<data>_0");
  EXPECT_EQ(page->records[0].partition_key, "partitionKey");
  EXPECT_EQ(page->records[0].sequence_number, "21269319989652663814458848515492872193");
  EXPECT_EQ(page->records[0].arrival_us, 1441215410867000);
  EXPECT_EQ(page->next_iterator, "AAAA");
  EXPECT_EQ(page->millis_behind, 2100);

  auto closed = parse_get_records(R"({"Records":[],"NextShardIterator":null})");
  ASSERT_TRUE(closed.has_value());
  EXPECT_FALSE(closed->next_iterator.has_value());
}

TEST(KinesisAnswers, ListShardsWithLineage) {
  std::vector<ShardInfo> shards;
  auto next = parse_list_shards(
      R"({"NextToken":"T","Shards":[{"ShardId":"shardId-000000000001","SequenceNumberRange":)"
      R"({"StartingSequenceNumber":"1"}},{"ShardId":"shardId-000000000002","ParentShardId":)"
      R"("shardId-000000000000","AdjacentParentShardId":"shardId-000000000001",)"
      R"("SequenceNumberRange":{"StartingSequenceNumber":"2","EndingSequenceNumber":"3"}}]})",
      shards);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, "T");
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_TRUE(shards[0].open);
  EXPECT_FALSE(shards[1].open);
  EXPECT_EQ(shards[1].parent_shard_ids,
            (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001"}));
}

// Found by fuzz_aws_kinesis_response (corpus/aws_kinesis_response/answer_not_an_object and
// shard_id_not_a_string): json::value() threw out of the parser, ending the process.
TEST(KinesisAnswers, AnswersOfTheWrongShapeAreMalformedNotThrown) {
  expect_malformed(parse_stream_arn(R"("__type")"), "no StreamARN");
  expect_malformed(parse_stream_arn(R"({"StreamDescriptionSummary":"ACTIVE"})"), "no StreamARN");
  expect_malformed(parse_stream_arn(R"({"StreamDescriptionSummary":{"StreamARN":7}})"),
                   "no StreamARN");
  std::vector<ShardInfo> shards;
  expect_malformed(parse_list_shards(R"({"Shards":[{"ShardId":7}]})", shards), "without ShardId");
  expect_malformed(parse_list_shards(R"({"Shards":[1]})", shards), "without ShardId");
  auto range =
      parse_list_shards(R"({"Shards":[{"ShardId":"s","SequenceNumberRange":[]}]})", shards);
  ASSERT_TRUE(range.has_value());
  EXPECT_TRUE(shards.back().open);
}

// Found while writing fuzz_aws_kinesis_response (corpus/aws_kinesis_response/
// shard_id_leaving_the_folder): shard ids name the file target's folders.
TEST(KinesisAnswers, AShardIdOutsideTheServicesPatternIsRefused) {
  for (const char* id : {"../../etc", "/tmp/x", "..", "a\"b", "shard id"}) {
    std::vector<ShardInfo> shards;
    std::string body = R"({"Shards":[{"ShardId":")";
    body += id;
    body += R"("}]})";
    auto next = parse_list_shards(body, shards);
    ASSERT_FALSE(next.has_value()) << id;
    EXPECT_TRUE(next.error().error.is_retriable());
  }
}

// Found while writing fuzz_aws_kinesis_response (corpus/aws_kinesis_response/
// sequence_number_not_digits): the envelope writes sequence numbers unescaped.
TEST(KinesisAnswers, ASequenceNumberThatIsNotDigitsIsMalformed) {
  expect_malformed(
      parse_get_records(R"({"Records":[{"SequenceNumber":"1\"","PartitionKey":"k","Data":""}]})"),
      "not decimal digits");
  expect_malformed(
      parse_get_records(R"({"Records":[{"SequenceNumber":"","PartitionKey":"k","Data":""}]})"),
      "not decimal digits");
}

// Found while writing fuzz_aws_kinesis_response (corpus/aws_kinesis_response/
// arrival_before_1970): a negative time gave an envelope with "0.+00000" in it.
TEST(KinesisAnswers, AnArrivalTimeTheEnvelopeCannotWriteIsUnknown) {
  for (const char* time : {"-0.5", "1e300", "-9223372036854775808"}) {
    std::string body = R"({"Records":[{"SequenceNumber":"1","PartitionKey":"k","Data":"",)";
    body += R"("ApproximateArrivalTimestamp":)";
    body += time;
    body += "}]}";
    auto page = parse_get_records(body);
    ASSERT_TRUE(page.has_value()) << time;
    EXPECT_EQ(page->records[0].arrival_us, 0) << time;
  }
}

}  // namespace
}  // namespace shardpipe::kinesis
