#include "targets/batch_item_failures.hpp"

#include <gtest/gtest.h>

#include "test_batch.hpp"

namespace shardpipe {
namespace {

using testing::test_batch;
using Indices = std::vector<size_t>;

TEST(BatchItemFailures, NoFailuresNamed) {
  auto batch = test_batch(3);
  for (const char* reply :
       {"", "   ", "not json", "{", "[]", "42", "\"text\"", "{}", R"({"other":1})",
        R"({"batchItemFailures":null})", R"({"batchItemFailures":[]})"}) {
    auto failed = parse_batch_item_failures(reply, batch);
    ASSERT_TRUE(failed.has_value()) << reply << ": " << failed.error().message;
    EXPECT_TRUE(failed->empty()) << reply;
  }
}

TEST(BatchItemFailures, NamesRecordsByEventId) {
  auto batch = test_batch(4);
  auto failed = parse_batch_item_failures(
      R"({"batchItemFailures":[{"itemIdentifier":"shardId-000000000000:300"},)"
      R"({"itemIdentifier":"shardId-000000000000:200"}]})",
      batch);
  ASSERT_TRUE(failed.has_value()) << failed.error().message;
  EXPECT_EQ(*failed, (Indices{1, 2}));
}

TEST(BatchItemFailures, NamesRecordsBySequenceNumber) {
  auto batch = test_batch(4);
  auto failed = parse_batch_item_failures(
      R"({"batchItemFailures":[{"itemIdentifier":"400"},{"itemIdentifier":"100"}]})", batch);
  ASSERT_TRUE(failed.has_value()) << failed.error().message;
  EXPECT_EQ(*failed, (Indices{0, 3}));
}

// The user records of a KPL aggregate show their aggregate's sequence number; only the last has
// it as its own (the others' are "SEQ:N", their checkpoint values).
TEST(BatchItemFailures, ASequenceNumberNamesEveryUserRecordOfItsAggregate) {
  auto batch = test_batch(5);
  batch[1].sequence_number = "200:0";
  batch[1].event_id = "shardId-000000000000:200:0";
  batch[2].sequence_number = "200:1";
  batch[2].event_id = "shardId-000000000000:200:1";
  batch[3].sequence_number = "200";
  batch[3].event_id = "shardId-000000000000:200:2";
  auto by_sequence =
      parse_batch_item_failures(R"({"batchItemFailures":[{"itemIdentifier":"200"}]})", batch);
  ASSERT_TRUE(by_sequence.has_value()) << by_sequence.error().message;
  EXPECT_EQ(*by_sequence, (Indices{1, 2, 3}));
  auto by_event_id = parse_batch_item_failures(
      R"({"batchItemFailures":[{"itemIdentifier":"shardId-000000000000:200:1"}]})", batch);
  ASSERT_TRUE(by_event_id.has_value()) << by_event_id.error().message;
  EXPECT_EQ(*by_event_id, (Indices{2}));
}

TEST(BatchItemFailures, ARecordNamedTwiceCountsOnce) {
  auto batch = test_batch(2);
  auto failed = parse_batch_item_failures(R"({"batchItemFailures":[{"itemIdentifier":"200"},)"
                                          R"({"itemIdentifier":"shardId-000000000000:200"}]})",
                                          batch);
  ASSERT_TRUE(failed.has_value()) << failed.error().message;
  EXPECT_EQ(*failed, (Indices{1}));
}

TEST(BatchItemFailures, UnusableIdentifiersFailTheWholeBatch) {
  auto batch = test_batch(3);
  struct Case {
    const char* reply;
    const char* named;  // what the message must show
  };
  for (auto [reply, named] : {
           Case{R"({"batchItemFailures":[{"itemIdentifier":null}]})", "null"},
           Case{R"({"batchItemFailures":[{}]})", "missing"},
           Case{R"({"batchItemFailures":[{"itemIdentifier":""}]})", "empty"},
           Case{R"({"batchItemFailures":[{"itemIdentifier":200}]})", "200"},
           Case{R"({"batchItemFailures":[{"itemIdentifier":"no-such-record"}]})", "no-such-record"},
           Case{R"({"batchItemFailures":[{"itemIdentifier":"100"},{"itemIdentifier":"999"}]})",
                "999"},
           Case{R"({"batchItemFailures":["100"]})", "not an object"},
           Case{R"({"batchItemFailures":{"itemIdentifier":"100"}})", "must be a list"},
       }) {
    auto failed = parse_batch_item_failures(reply, batch);
    ASSERT_FALSE(failed.has_value()) << reply;
    EXPECT_TRUE(failed.error().is_retriable()) << reply;
    EXPECT_NE(failed.error().message.find(named), std::string::npos)
        << reply << ": " << failed.error().message;
  }
}

TEST(BatchItemFailures, AnIdentifierOfAnotherBatchIsUnknown) {
  auto earlier = test_batch(3, 1);
  auto later = test_batch(3, 10);
  EXPECT_FALSE(
      parse_batch_item_failures(R"({"batchItemFailures":[{"itemIdentifier":"100"}]})", later)
          .has_value());
  EXPECT_TRUE(
      parse_batch_item_failures(R"({"batchItemFailures":[{"itemIdentifier":"100"}]})", earlier)
          .has_value());
}

}  // namespace
}  // namespace shardpipe
