#include "targets/http/partial_response.hpp"

#include <gtest/gtest.h>

#include "test_batch.hpp"

namespace shardpipe {
namespace {

using testing::test_batch;
using Ordinals = std::vector<uint64_t>;

std::vector<size_t> failed_indices(const DeliveryOutcome& outcome) {
  std::vector<size_t> indices;
  for (const auto& item : outcome.failed_items) indices.push_back(item.index);
  return indices;
}

void expect_all_delivered(const DeliveryOutcome& outcome, size_t size, const std::string& why) {
  EXPECT_FALSE(outcome.error.has_value()) << why << ": " << outcome.error->message;
  EXPECT_EQ(outcome.accepted, size) << why;
  EXPECT_TRUE(outcome.failed_items.empty()) << why;
  Ordinals all;
  for (uint64_t ordinal = 1; ordinal <= size; ++ordinal) all.push_back(ordinal);
  EXPECT_EQ(outcome.delivered, all) << why;
}

void expect_whole_batch_failed(const DeliveryOutcome& outcome, ErrorClass kind,
                               const std::string& why) {
  ASSERT_TRUE(outcome.error.has_value()) << why;
  EXPECT_EQ(outcome.error->kind, kind) << why << ": " << outcome.error->message;
  EXPECT_EQ(outcome.accepted, 0u) << why;
  EXPECT_TRUE(outcome.delivered.empty()) << why;
  EXPECT_TRUE(outcome.failed_items.empty()) << why;
}

TEST(InterpretAnswer, A2xxWithoutFailuresDeliversEverything) {
  auto batch = test_batch(4);
  for (int status : {200, 201, 202, 204, 299}) {
    for (const char* body : {"", "OK", "<html>fine</html>", "{}", R"({"received":4})",
                             R"({"batchItemFailures":null})", R"({"batchItemFailures":[]})"}) {
      expect_all_delivered(interpret_answer(status, body, batch), batch.size(),
                           std::to_string(status) + " " + body);
    }
  }
}

TEST(InterpretAnswer, FailuresNamedByEventIdAreRetriedAlone) {
  auto batch = test_batch(5);
  auto outcome =
      interpret_answer(200,
                       R"({"batchItemFailures":[{"itemIdentifier":"shardId-000000000000:200"},)"
                       R"({"itemIdentifier":"shardId-000000000000:500"}]})",
                       batch);
  EXPECT_FALSE(outcome.error.has_value());
  EXPECT_EQ(outcome.accepted, 5u);
  EXPECT_EQ(failed_indices(outcome), (std::vector<size_t>{1, 4}));
  EXPECT_EQ(outcome.delivered, (Ordinals{1, 3, 4}));
  for (const auto& item : outcome.failed_items) {
    EXPECT_TRUE(item.error.is_retriable());
    EXPECT_EQ(item.error.message, "the target reported this record as failed");
  }
}

TEST(InterpretAnswer, FailuresNamedBySequenceNumber) {
  auto batch = test_batch(3);
  auto outcome =
      interpret_answer(202, R"({"batchItemFailures":[{"itemIdentifier":"100"}]})", batch);
  EXPECT_FALSE(outcome.error.has_value());
  EXPECT_EQ(outcome.accepted, 3u);
  EXPECT_EQ(failed_indices(outcome), (std::vector<size_t>{0}));
  EXPECT_EQ(outcome.delivered, (Ordinals{2, 3}));
}

TEST(InterpretAnswer, EveryRecordNamedMeansNoneDelivered) {
  auto batch = test_batch(2);
  auto outcome = interpret_answer(
      200, R"({"batchItemFailures":[{"itemIdentifier":"100"},{"itemIdentifier":"200"}]})", batch);
  EXPECT_FALSE(outcome.error.has_value());
  EXPECT_EQ(failed_indices(outcome), (std::vector<size_t>{0, 1}));
  EXPECT_TRUE(outcome.delivered.empty());
}

TEST(InterpretAnswer, AnUnusableIdentifierFailsTheWholeBatch) {
  auto batch = test_batch(3);
  for (const char* body : {
           R"({"batchItemFailures":[{"itemIdentifier":null}]})",
           R"({"batchItemFailures":[{"itemIdentifier":""}]})",
           R"({"batchItemFailures":[{"itemIdentifier":"unknown"}]})",
           R"({"batchItemFailures":[{"itemIdentifier":"100"},{"itemIdentifier":"unknown"}]})",
           R"({"batchItemFailures":[{"itemIdentifier":7}]})",
           R"({"batchItemFailures":[{"id":"100"}]})",
       }) {
    auto outcome = interpret_answer(200, body, batch);
    expect_whole_batch_failed(outcome, ErrorClass::retriable, body);
  }
  auto outcome =
      interpret_answer(200, R"({"batchItemFailures":[{"itemIdentifier":"unknown"}]})", batch);
  EXPECT_NE(outcome.error->message.find("unknown"), std::string::npos) << outcome.error->message;
}

TEST(InterpretAnswer, RetriableStatusesFailTheWholeBatchForAnotherTry) {
  auto batch = test_batch(3);
  for (int status : {408, 429, 500, 502, 503, 504, 599}) {
    auto outcome = interpret_answer(status, "busy", batch);
    expect_whole_batch_failed(outcome, ErrorClass::retriable, std::to_string(status));
    EXPECT_EQ(outcome.error->status_code, status);
  }
}

TEST(InterpretAnswer, OtherStatusesArePermanent) {
  auto batch = test_batch(3);
  for (int status : {100, 301, 302, 304, 400, 401, 403, 404, 409, 413, 422}) {
    auto outcome = interpret_answer(status, "", batch);
    expect_whole_batch_failed(outcome, ErrorClass::permanent, std::to_string(status));
    EXPECT_EQ(outcome.error->status_code, status);
  }
}

TEST(InterpretAnswer, ANon2xxIsNotReadAsAPartialResponse) {
  auto batch = test_batch(3);
  auto outcome =
      interpret_answer(500, R"({"batchItemFailures":[{"itemIdentifier":"100"}]})", batch);
  expect_whole_batch_failed(outcome, ErrorClass::retriable, "500 with a list");
}

TEST(InterpretAnswer, TheErrorShowsTheStatusAndTheStartOfTheBodyOnOneLine) {
  auto batch = test_batch(1);
  std::string body = "{\"error\":\"quota\nexceeded\"}" + std::string(500, 'x');
  auto outcome = interpret_answer(429, body, batch);
  ASSERT_TRUE(outcome.error.has_value());
  const auto& message = outcome.error->message;
  EXPECT_NE(message.find("429"), std::string::npos) << message;
  EXPECT_NE(message.find("quota exceeded"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_LT(message.size(), 300u) << message;
}

TEST(RetriableStatus, Classes) {
  for (int status : {408, 429, 500, 503, 599}) EXPECT_TRUE(retriable_status(status)) << status;
  for (int status : {200, 301, 400, 401, 404, 407, 410, 428, 430, 600})
    EXPECT_FALSE(retriable_status(status)) << status;
}

}  // namespace
}  // namespace shardpipe
