#include "targets/http/batch_request.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <span>

#include "test_batch.hpp"

namespace shardpipe {
namespace {

using testing::test_batch;

TEST(BatchBody, IsAJsonArrayOfTheEnvelopesInOrder) {
  auto batch = test_batch(3);
  auto body = nlohmann::json::parse(batch_body(batch));
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 3u);
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(body[i], nlohmann::json::parse(batch[i].envelope)) << i;
  }
  EXPECT_EQ(batch_body(std::span(batch).first(1)), "[" + batch[0].envelope + "]");
}

TEST(BatchBody, OfNoRecordsIsAnEmptyArray) {
  EXPECT_EQ(batch_body({}), "[]");
}

TEST(IdempotencyKey, IsTheSha256OfTheEventIdsJoinedByNewlines) {
  auto batch = test_batch(2);
  batch[0].event_id = "a";
  batch[1].event_id = "b";
  // SHA-256 of "a\nb"
  EXPECT_EQ(idempotency_key(batch),
            "7e18f737311b2dc3b2f269dd78396b0351f14fb66efa879f768cb23181883c78");
}

TEST(IdempotencyKey, IsTheSameForTheSameBatch) {
  auto batch = test_batch(5);
  auto again = test_batch(5);
  again[2].envelope = R"({"changed":true})";  // the key depends on the eventIDs alone
  EXPECT_EQ(idempotency_key(batch), idempotency_key(again));
  EXPECT_EQ(idempotency_key(batch), idempotency_key(batch));
}

TEST(IdempotencyKey, DiffersForAnotherBatch) {
  auto batch = test_batch(5);
  EXPECT_NE(idempotency_key(batch), idempotency_key(test_batch(5, 2)));
  EXPECT_NE(idempotency_key(batch), idempotency_key(std::span(batch).first(4)));
  EXPECT_NE(idempotency_key(batch), idempotency_key(std::span(batch).last(4)));
  // Joining with a separator keeps ["ab","c"] apart from ["a","bc"].
  auto split_one = test_batch(2);
  split_one[0].event_id = "ab";
  split_one[1].event_id = "c";
  auto split_two = test_batch(2);
  split_two[0].event_id = "a";
  split_two[1].event_id = "bc";
  EXPECT_NE(idempotency_key(split_one), idempotency_key(split_two));
}

TEST(IdempotencyKey, IsLowercaseHex) {
  auto key = idempotency_key(test_batch(3));
  ASSERT_EQ(key.size(), 64u);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos) << key;
}

}  // namespace
}  // namespace shardpipe
