// A PutRecords answer read for the batch: written records delivered, refused ones failed with
// their error class, later records of a refused key failed too, unusable answers retried whole.
#include "targets/kinesis/put_records_answer.hpp"

#include <gtest/gtest.h>

namespace shardpipe::kinesis_target {
namespace {

const std::string written = R"({"SequenceNumber":"4959","ShardId":"shardId-000000000000"})";
std::string refused(const std::string& code) {
  return R"({"ErrorCode":")" + code + R"(","ErrorMessage":"Rate exceeded for shard shardId-1"})";
}

std::vector<size_t> indices(const std::vector<ItemFailure>& failed) {
  std::vector<size_t> out;
  for (const auto& item : failed) out.push_back(item.index);
  return out;
}

TEST(PutRecordsAnswer, ReadsEachEntrysResult) {
  auto results =
      parse_put_records_answer(R"({"FailedRecordCount":1,"Records":[)" + written + "," +
                                   refused("ProvisionedThroughputExceededException") + "]}",
                               2);
  ASSERT_TRUE(results.has_value()) << results.error().message;
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].error_code, "");
  EXPECT_EQ((*results)[1].error_code, "ProvisionedThroughputExceededException");
  EXPECT_EQ((*results)[1].error_message, "Rate exceeded for shard shardId-1");
}

TEST(PutRecordsAnswer, AnAnswerThatDoesNotSayWhatWasWrittenIsARetriableError) {
  for (const std::string& body :
       {std::string("<html>"), std::string("{}"), std::string(R"({"Records":{}})"),
        R"({"Records":[)" + written + "]}",  // one result for two records
        R"({"Records":[)" + written + ",3]}", R"({"Records":[)" + written + ",{}]}"}) {
    auto results = parse_put_records_answer(body, 2);
    ASSERT_FALSE(results.has_value()) << body;
    EXPECT_EQ(results.error().kind, ErrorClass::retriable) << body;
    EXPECT_NE(results.error().message.find("Kinesis PutRecords"), std::string::npos);
  }
}

TEST(PutRecordsAnswer, ThrottlingAndInternalFailuresAreRetriableOthersPermanent) {
  EXPECT_EQ(entry_error_class("ProvisionedThroughputExceededException"), ErrorClass::retriable);
  EXPECT_EQ(entry_error_class("InternalFailure"), ErrorClass::retriable);
  EXPECT_EQ(entry_error_class("KMSThrottlingException"), ErrorClass::retriable);
  EXPECT_EQ(entry_error_class("KMSAccessDeniedException"), ErrorClass::permanent);
  EXPECT_EQ(entry_error_class("KMSDisabledException"), ErrorClass::permanent);
}

TEST(PutRecordsAnswer, WrittenRecordsAreDeliveredAndRefusedOnesFailByBatchIndex) {
  // Entries sent for batch indices 3, 4, 6 and 7 (5 was refused before sending).
  std::vector<size_t> entries = {3, 4, 6, 7};
  std::vector<std::string_view> keys = {"a", "b", "c", "d"};
  std::vector<EntryResult> results = {
      {}, {"InternalFailure", "oops"}, {}, {"KMSAccessDeniedException", ""}};
  auto mapped = map_results(entries, keys, results);
  EXPECT_EQ(mapped.delivered, (std::vector<size_t>{3, 6}));
  ASSERT_EQ(indices(mapped.failed), (std::vector<size_t>{4, 7}));
  EXPECT_EQ(mapped.failed[0].error.kind, ErrorClass::retriable);
  EXPECT_EQ(mapped.failed[0].error.message,
            "Kinesis PutRecords: record refused: InternalFailure: oops");
  EXPECT_EQ(mapped.failed[1].error.kind, ErrorClass::permanent);
  EXPECT_EQ(mapped.failed[1].error.message,
            "Kinesis PutRecords: record refused: KMSAccessDeniedException");
}

TEST(PutRecordsAnswer, ARecordWrittenAfterARefusedOneOfItsKeyIsSentAgainAfterIt) {
  std::vector<size_t> entries = {0, 1, 2, 3, 4};
  std::vector<std::string_view> keys = {"a", "b", "a", "a", "b"};
  std::vector<EntryResult> results = {
      {}, {"ProvisionedThroughputExceededException", "slow down"}, {}, {"InternalFailure", ""}, {}};
  auto mapped = map_results(entries, keys, results);
  // a: 0 written, 2 written (no earlier refusal of a), 3 refused. b: 1 refused, so 4 follows it.
  EXPECT_EQ(mapped.delivered, (std::vector<size_t>{0, 2}));
  ASSERT_EQ(indices(mapped.failed), (std::vector<size_t>{1, 3, 4}));
  EXPECT_EQ(mapped.failed[2].error.kind, ErrorClass::retriable);
  EXPECT_NE(mapped.failed[2].error.message.find("keep the key's order"), std::string::npos);
}

}  // namespace
}  // namespace shardpipe::kinesis_target
