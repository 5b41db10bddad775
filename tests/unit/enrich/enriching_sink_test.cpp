// The enriching sink with a fake enricher and a fake inner sink: what the inner sink receives,
// and what the engine gets back.
#include "enrich/enriching_sink.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shardpipe {
namespace {

std::vector<Record> three_records() {
  std::vector<Record> records;
  for (uint64_t i = 1; i <= 3; ++i) {
    Record record;
    record.ordinal = 10 + i;
    record.sequence_number = std::to_string(100 + i);
    record.event_id = "shardId-000000000000:" + record.sequence_number;
    record.envelope = R"({"n":)" + std::to_string(i) + "}";
    records.push_back(std::move(record));
  }
  return records;
}

// Answers with a scripted result and remembers what it was asked.
struct FakeEnricher final : Enricher {
  Result<std::vector<std::string>> answer;
  std::vector<std::vector<std::string>>* seen;

  FakeEnricher(Result<std::vector<std::string>> scripted,
               std::vector<std::vector<std::string>>* log)
      : answer(std::move(scripted)), seen(log) {}
  Result<std::vector<std::string>> enrich(std::span<const Record> batch) override {
    std::vector<std::string> envelopes;
    for (const auto& record : batch) envelopes.push_back(record.envelope);
    seen->push_back(std::move(envelopes));
    return answer;
  }
};

// Keeps what it received and answers with a scripted outcome (all delivered by default).
struct FakeSink final : ShardSink {
  std::vector<std::vector<Record>>* received;
  std::optional<DeliveryOutcome> scripted;
  bool is_buffering = false;
  size_t pending_records = 0;
  int flushes = 0;
  std::optional<CloseReason> closed;

  explicit FakeSink(std::vector<std::vector<Record>>* log) : received(log) {}
  DeliveryOutcome deliver(std::span<const Record> batch) override {
    received->emplace_back(batch.begin(), batch.end());
    if (scripted) return *scripted;
    DeliveryOutcome outcome;
    outcome.accepted = batch.size();
    for (const auto& record : batch) outcome.delivered.push_back(record.ordinal);
    return outcome;
  }
  DeliveryOutcome flush() override {
    ++flushes;
    return {};
  }
  size_t pending() const override { return pending_records; }
  bool buffering() const override { return is_buffering; }
  Status close(CloseReason reason) override {
    closed = reason;
    return {};
  }
};

struct Fixture {
  std::vector<std::vector<std::string>> asked;
  std::vector<std::vector<Record>> received;
  FakeSink* inner = nullptr;

  EnrichingSink sink(Result<std::vector<std::string>> answer) {
    auto fake = std::make_unique<FakeSink>(&received);
    inner = fake.get();
    return EnrichingSink(std::make_unique<FakeEnricher>(std::move(answer), &asked),
                         std::move(fake));
  }
};

TEST(EnrichingSink, HandsTheEnrichedRecordsToTheInnerSinkInOrder) {
  Fixture fixture;
  auto sink = fixture.sink(std::vector<std::string>{R"({"a":1})", R"({"a":2})", R"({"a":3})"});
  auto batch = three_records();
  auto outcome = sink.deliver(batch);

  ASSERT_FALSE(outcome.error) << outcome.error->message;
  EXPECT_EQ(outcome.accepted, 3u);
  EXPECT_EQ(outcome.delivered, (std::vector<uint64_t>{11, 12, 13}));
  ASSERT_EQ(fixture.asked.size(), 1u);
  EXPECT_EQ(fixture.asked[0], (std::vector<std::string>{R"({"n":1})", R"({"n":2})", R"({"n":3})"}));
  ASSERT_EQ(fixture.received.size(), 1u);
  const auto& given = fixture.received[0];
  ASSERT_EQ(given.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(given[i].envelope, R"({"a":)" + std::to_string(i + 1) + "}");
    EXPECT_EQ(given[i].ordinal, batch[i].ordinal);
    EXPECT_EQ(given[i].event_id, batch[i].event_id);
    EXPECT_EQ(given[i].sequence_number, batch[i].sequence_number);
  }
  EXPECT_EQ(batch[0].envelope, R"({"n":1})") << "the engine's records must stay as read";
}

TEST(EnrichingSink, AnAnswerOfAnotherLengthFailsTheWholeBatch) {
  Fixture fixture;
  auto sink = fixture.sink(std::vector<std::string>{R"({"a":1})", R"({"a":2})"});
  auto batch = three_records();
  auto outcome = sink.deliver(batch);

  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->kind, ErrorClass::retriable);
  EXPECT_NE(outcome.error->message.find("enrichment"), std::string::npos);
  EXPECT_EQ(outcome.accepted, 0u);
  EXPECT_TRUE(outcome.delivered.empty());
  EXPECT_TRUE(fixture.received.empty()) << "nothing may reach the target";
}

TEST(EnrichingSink, AnEnrichmentErrorFailsTheWholeBatchAsItIs) {
  Fixture fixture;
  auto sink =
      fixture.sink(fail(Error::permanent("the enrichment answered HTTP 400").with_status(400)));
  auto outcome = sink.deliver(three_records());

  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->kind, ErrorClass::permanent);
  EXPECT_EQ(outcome.error->status_code, 400);
  EXPECT_EQ(outcome.accepted, 0u);
  EXPECT_TRUE(fixture.received.empty());
}

TEST(EnrichingSink, PassesTheInnerSinksPartialFailuresThrough) {
  Fixture fixture;
  auto sink = fixture.sink(std::vector<std::string>{"1", "2", "3"});
  DeliveryOutcome partial;
  partial.accepted = 3;
  partial.delivered = {11, 13};
  partial.failed_items.push_back({.index = 1, .error = Error::retriable("refused")});
  fixture.inner->scripted = partial;

  auto outcome = sink.deliver(three_records());
  EXPECT_FALSE(outcome.error);
  EXPECT_EQ(outcome.accepted, 3u);
  EXPECT_EQ(outcome.delivered, (std::vector<uint64_t>{11, 13}));
  ASSERT_EQ(outcome.failed_items.size(), 1u);
  EXPECT_EQ(outcome.failed_items[0].index, 1u);
  EXPECT_EQ(outcome.failed_items[0].error.message, "refused");
}

TEST(EnrichingSink, EnrichesAgainOnEveryDelivery) {
  Fixture fixture;
  auto sink = fixture.sink(std::vector<std::string>{"1", "2", "3"});
  auto batch = three_records();
  sink.deliver(batch);
  sink.deliver(batch);
  EXPECT_EQ(fixture.asked.size(), 2u) << "results must not be cached";
}

TEST(EnrichingSink, AnEmptyBatchSkipsTheEnrichment) {
  Fixture fixture;
  auto sink = fixture.sink(std::vector<std::string>{});
  auto outcome = sink.deliver({});
  EXPECT_FALSE(outcome.error);
  EXPECT_TRUE(fixture.asked.empty());
}

TEST(EnrichingSink, DelegatesBufferingPendingFlushAndClose) {
  Fixture fixture;
  auto sink = fixture.sink(std::vector<std::string>{});
  EXPECT_FALSE(sink.buffering());
  fixture.inner->is_buffering = true;
  fixture.inner->pending_records = 7;
  EXPECT_TRUE(sink.buffering());
  EXPECT_EQ(sink.pending(), 7u);
  sink.flush();
  EXPECT_EQ(fixture.inner->flushes, 1);
  EXPECT_TRUE(sink.close(CloseReason::lease_lost).has_value());
  EXPECT_EQ(fixture.inner->closed, CloseReason::lease_lost);
}

}  // namespace
}  // namespace shardpipe
