// The retry policy against a scripted sink: retries, limits, bisection, partial batch failures
// in key order, record ages, and dead letters that cannot be written.
#include "pipeline/batch_delivery.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <set>

namespace shardpipe {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Answers each batch with `answer`, and remembers the event ids of every batch it was offered.
class ScriptedSink final : public ShardSink {
 public:
  using Answer = std::function<DeliveryOutcome(std::span<const Record>)>;
  explicit ScriptedSink(Answer answer, bool buffering = false)
      : answer_(std::move(answer)), buffering_(buffering) {}

  DeliveryOutcome deliver(std::span<const Record> batch) override {
    std::vector<std::string> ids;
    for (const auto& record : batch) ids.push_back(record.event_id);
    offered.push_back(ids);
    return answer_(batch);
  }
  DeliveryOutcome flush() override { return {}; }
  size_t pending() const override { return 0; }
  bool buffering() const override { return buffering_; }

  std::vector<std::vector<std::string>> offered;

 private:
  Answer answer_;
  bool buffering_;
};

DeliveryOutcome all_delivered(std::span<const Record> batch) {
  DeliveryOutcome outcome;
  outcome.accepted = batch.size();
  for (const auto& record : batch) outcome.delivered.push_back(record.ordinal);
  return outcome;
}

// Delivers everything but the records whose event id is in `refused`.
DeliveryOutcome refusing(std::span<const Record> batch, const std::set<std::string>& refused) {
  DeliveryOutcome outcome;
  outcome.accepted = batch.size();
  for (size_t i = 0; i < batch.size(); ++i) {
    if (refused.contains(batch[i].event_id)) {
      outcome.failed_items.push_back({i, Error::retriable("refused")});
    } else {
      outcome.delivered.push_back(batch[i].ordinal);
    }
  }
  return outcome;
}

bool contains(std::span<const Record> batch, const std::string& event_id) {
  return std::ranges::any_of(batch, [&](const Record& r) { return r.event_id == event_id; });
}

class RecordingDeadLetters final : public DeadLetterDestination {
 public:
  Status write(std::span<const DeadLetter> letters) override {
    if (failures_left > 0) {
      --failures_left;
      return fail(Error::retriable("dead-letter destination unreachable"));
    }
    for (const auto& letter : letters) {
      written.push_back({letter.record->event_id, letter.condition, letter.attempts,
                         letter.status_code, letter.message});
    }
    return {};
  }
  struct Entry {
    std::string event_id;
    std::string condition;
    int attempts;
    std::optional<int> status_code;
    std::string message;
  };
  std::vector<Entry> written;
  int failures_left = 0;
};

// A shard's side of the delivery: what was handled, how long it waited, a clock it controls.
struct Harness {
  RetryPolicy policy{.backoff_initial = 1ms, .backoff_max = 1ms};
  RecordingDeadLetters dead_letters;
  bool with_dead_letters = true;
  DeliveryCounters counters;
  std::vector<uint64_t> handled;
  int waits = 0;
  int waits_allowed = 1000;
  std::optional<Error> fatal;
  int64_t now_ms = 1'000'000;
  std::chrono::milliseconds clock_step_per_wait{0};

  BatchDelivery delivery() {
    return BatchDelivery(policy, with_dead_letters ? &dead_letters : nullptr, counters, "local",
                         "shardId-000000000000",
                         {.handled =
                              [this](std::span<const uint64_t> ordinals) {
                                handled.insert(handled.end(), ordinals.begin(), ordinals.end());
                              },
                          .wait =
                              [this](std::chrono::milliseconds) {
                                now_ms += clock_step_per_wait.count();
                                return ++waits <= waits_allowed;
                              },
                          .checkpoint_now = [] { return true; },
                          .fatal = [this](Error error) { fatal = std::move(error); },
                          .now_ms = [this] { return now_ms; }});
  }

  std::vector<std::string> dead_lettered_ids() const {
    std::vector<std::string> ids;
    for (const auto& entry : dead_letters.written) ids.push_back(entry.event_id);
    return ids;
  }
};

// Records e0, e1, ... with ordinals 0, 1, ... and the given partition keys; they arrived at
// `arrival_ms`.
std::vector<Record> batch_of(const std::vector<std::string>& keys, int64_t arrival_ms = 1'000'000) {
  std::vector<Record> batch;
  for (size_t i = 0; i < keys.size(); ++i) {
    Record record;
    record.ordinal = i;
    record.sequence_number = std::to_string(100 + i);
    record.event_id = "e" + std::to_string(i);
    record.partition_key = keys[i];
    record.arrival_ms = arrival_ms;
    record.envelope = "{}";
    batch.push_back(std::move(record));
  }
  return batch;
}

std::vector<Record> batch_of_size(size_t size) {
  return batch_of(std::vector<std::string>(size, "same-key"));
}

TEST(BatchDelivery, ADeliveredBatchIsHandledInOneAttempt) {
  Harness harness;
  ScriptedSink sink(all_delivered);
  auto batch = batch_of_size(3);
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  EXPECT_THAT(harness.handled, ElementsAre(0, 1, 2));
  EXPECT_EQ(sink.offered.size(), 1u);
  EXPECT_EQ(harness.counters.attempts_of(AttemptOutcome::success), 1u);
  EXPECT_EQ(harness.counters.records_delivered, 3u);
}

TEST(BatchDelivery, AFailedBatchIsRetriedUntilItIsDelivered) {
  Harness harness;
  int calls = 0;
  ScriptedSink sink([&](std::span<const Record> batch) {
    return ++calls <= 3 ? DeliveryOutcome::failed(Error::retriable("503")) : all_delivered(batch);
  });
  auto batch = batch_of_size(2);
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  EXPECT_EQ(sink.offered.size(), 4u);
  EXPECT_THAT(harness.handled, ElementsAre(0, 1));
  EXPECT_THAT(harness.dead_lettered_ids(), IsEmpty());
  EXPECT_EQ(harness.waits, 3);
  EXPECT_EQ(harness.counters.retries, 3u);
  EXPECT_EQ(harness.counters.attempts_of(AttemptOutcome::failure), 3u);
}

TEST(BatchDelivery, RecordsOutOfAttemptsGoToTheDeadLettersWithTheirCount) {
  Harness harness;
  harness.policy.maximum_retry_attempts = 2;
  ScriptedSink sink([](std::span<const Record>) {
    return DeliveryOutcome::failed(Error::retriable("HTTP 500: down").with_status(500));
  });
  auto batch = batch_of_size(2);
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  EXPECT_EQ(sink.offered.size(), 3u) << "one attempt and two retries";
  ASSERT_EQ(harness.dead_letters.written.size(), 2u);
  for (const auto& entry : harness.dead_letters.written) {
    EXPECT_EQ(entry.condition, "RetryAttemptsExhausted");
    EXPECT_EQ(entry.attempts, 3);
    EXPECT_EQ(entry.status_code, 500);
    EXPECT_EQ(entry.message, "HTTP 500: down");
  }
  EXPECT_THAT(harness.handled, ElementsAre(0, 1));
  EXPECT_EQ(harness.counters.dead_lettered_of(DeadLetterCondition::retry_attempts_exhausted), 2u);
}

TEST(BatchDelivery, ZeroRetryAttemptsDeadLettersAfterTheFirstFailure) {
  Harness harness;
  harness.policy.maximum_retry_attempts = 0;
  ScriptedSink sink(
      [](std::span<const Record>) { return DeliveryOutcome::failed(Error::retriable("x")); });
  auto batch = batch_of_size(1);
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  EXPECT_EQ(sink.offered.size(), 1u);
  ASSERT_EQ(harness.dead_letters.written.size(), 1u);
  EXPECT_EQ(harness.dead_letters.written[0].attempts, 1);
}

TEST(BatchDelivery, APermanentErrorIsNotRetriedForeverWhenRetriesAreUnlimited) {
  Harness harness;  // maximum_retry_attempts: -1
  ScriptedSink sink([](std::span<const Record>) {
    return DeliveryOutcome::failed(Error::permanent("HTTP 400: bad record").with_status(400));
  });
  auto batch = batch_of_size(1);
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  EXPECT_EQ(sink.offered.size(), 1u);
  ASSERT_EQ(harness.dead_letters.written.size(), 1u);
  EXPECT_EQ(harness.dead_letters.written[0].status_code, 400);
}

TEST(BatchDelivery, APermanentErrorIsRetriedUpToTheLimitWhenOneIsSet) {
  Harness harness;
  harness.policy.maximum_retry_attempts = 3;
  ScriptedSink sink(
      [](std::span<const Record>) { return DeliveryOutcome::failed(Error::permanent("400")); });
  auto batch = batch_of_size(1);
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  EXPECT_EQ(sink.offered.size(), 4u);
  EXPECT_EQ(harness.dead_letters.written.size(), 1u);
}

TEST(BatchDelivery, BisectionIsolatesAPoisonRecordAndDeliversItsNeighbours) {
  Harness harness;
  harness.policy.bisect_batch_on_error = true;
  harness.policy.maximum_retry_attempts = 2;
  ScriptedSink sink([](std::span<const Record> batch) {
    return contains(batch, "e5")
               ? DeliveryOutcome::failed(Error::permanent("HTTP 400").with_status(400))
               : all_delivered(batch);
  });
  auto batch = batch_of(std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h"});
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  EXPECT_THAT(harness.dead_lettered_ids(), ElementsAre("e5"));
  EXPECT_EQ(harness.dead_letters.written[0].attempts, 3)
      << "splits are not attempts; the record alone was tried three times";
  std::set<uint64_t> handled(harness.handled.begin(), harness.handled.end());
  EXPECT_EQ(handled.size(), 8u);
  // Halves are tried in order: [0..4) delivered, then [4..8) fails, [4,5) ok, [6,8) ok after [5].
  EXPECT_EQ(sink.offered[0].size(), 8u);
  EXPECT_THAT(sink.offered[1], ElementsAre("e0", "e1", "e2", "e3"));
  EXPECT_THAT(sink.offered[2], ElementsAre("e4", "e5", "e6", "e7"));
  EXPECT_THAT(sink.offered[3], ElementsAre("e4", "e5"));
  EXPECT_THAT(sink.offered[4], ElementsAre("e4"));
  EXPECT_THAT(sink.offered[5], ElementsAre("e5"));
  EXPECT_THAT(sink.offered.back(), ElementsAre("e6", "e7"));
  EXPECT_EQ(harness.counters.bisections, 3u);
}

TEST(BatchDelivery, WithoutBisectionAWholeFailedBatchIsDeadLetteredTogether) {
  Harness harness;
  harness.policy.maximum_retry_attempts = 1;
  ScriptedSink sink([](std::span<const Record> batch) {
    return contains(batch, "e1") ? DeliveryOutcome::failed(Error::permanent("400"))
                                 : all_delivered(batch);
  });
  auto batch = batch_of_size(3);
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  EXPECT_THAT(harness.dead_lettered_ids(), ElementsAre("e0", "e1", "e2"));
}

TEST(BatchDelivery, APartialFailureRetriesOnlyTheFailedRecordsAndLaterRecordsOfTheirKeys) {
  Harness harness;
  int calls = 0;
  ScriptedSink sink([&](std::span<const Record> batch) {
    return ++calls == 1 ? refusing(batch, {"e0"}) : all_delivered(batch);
  });
  // e0 and e2 share key k1; e1 and e3 have other keys.
  auto batch = batch_of({"k1", "k2", "k1", "k3"});
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  ASSERT_EQ(sink.offered.size(), 2u);
  EXPECT_THAT(sink.offered[1], ElementsAre("e0", "e2"))
      << "e2 comes after the failed e0 of its key, so it is sent again after it";
  // e1 and e3 were handled at the first attempt; e2 only once e0 was delivered.
  EXPECT_THAT(harness.handled, ElementsAre(1, 3, 0, 2));
  EXPECT_EQ(harness.counters.attempts_of(AttemptOutcome::partial_failure), 1u);
}

TEST(BatchDelivery, ARecordOfAFailedKeyIsNeverHandledBeforeTheFailedOne) {
  Harness harness;
  harness.policy.maximum_retry_attempts = 1;
  ScriptedSink sink([](std::span<const Record> batch) { return refusing(batch, {"e1"}); });
  auto batch = batch_of({"k1", "k1", "k1", "k2"});
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  // e1 fails twice and is dead-lettered; e2 (same key, after it) is handled only afterwards.
  EXPECT_THAT(harness.dead_lettered_ids(), ElementsAre("e1"));
  EXPECT_THAT(harness.handled, ElementsAre(0, 3, 1, 2));
  EXPECT_THAT(sink.offered[1], ElementsAre("e1", "e2"));
  EXPECT_THAT(sink.offered[2], ElementsAre("e2"));
}

TEST(BatchDelivery, RecordsOlderThanTheMaximumAgeAreDeadLetteredWithoutAnAttempt) {
  Harness harness;
  harness.policy.maximum_record_age = 60s;
  ScriptedSink sink(all_delivered);
  auto batch = batch_of({"a", "b"}, harness.now_ms - 61'000);
  batch[1].arrival_ms = harness.now_ms - 1'000;
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  EXPECT_THAT(harness.dead_lettered_ids(), ElementsAre("e0"));
  EXPECT_EQ(harness.dead_letters.written[0].condition, "MaximumRecordAgeExceeded");
  EXPECT_EQ(harness.dead_letters.written[0].attempts, 0);
  ASSERT_EQ(sink.offered.size(), 1u);
  EXPECT_THAT(sink.offered[0], ElementsAre("e1"));
}

TEST(BatchDelivery, RecordsRetriedPastTheMaximumAgeAreDeadLettered) {
  Harness harness;
  harness.policy.maximum_record_age = 60s;
  harness.clock_step_per_wait = 10s;
  ScriptedSink sink(
      [](std::span<const Record>) { return DeliveryOutcome::failed(Error::retriable("500")); });
  auto batch = batch_of_size(2);
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  ASSERT_EQ(harness.dead_letters.written.size(), 2u);
  EXPECT_EQ(harness.dead_letters.written[0].condition, "MaximumRecordAgeExceeded");
  EXPECT_EQ(harness.dead_letters.written[0].attempts, 7) << "tried at 0, 10, ..., 60 s";
  EXPECT_THAT(harness.handled, ElementsAre(0, 1));
}

TEST(BatchDelivery, WithoutADeadLetterDestinationTheShardStopsInsteadOfLosingARecord) {
  Harness harness;
  harness.with_dead_letters = false;
  harness.policy.maximum_retry_attempts = 0;
  ScriptedSink sink(
      [](std::span<const Record>) { return DeliveryOutcome::failed(Error::retriable("x")); });
  auto batch = batch_of_size(1);
  EXPECT_FALSE(harness.delivery().deliver(sink, batch));
  ASSERT_TRUE(harness.fatal.has_value());
  EXPECT_THAT(harness.fatal->message, ::testing::HasSubstr("record 100 of shard"));
  EXPECT_THAT(harness.fatal->message, ::testing::HasSubstr("no dead_letter section"));
  EXPECT_THAT(harness.handled, IsEmpty());
}

TEST(BatchDelivery, AnUnreachableDeadLetterDestinationIsRetriedAndNothingIsHandledMeanwhile) {
  Harness harness;
  harness.policy.maximum_retry_attempts = 0;
  harness.dead_letters.failures_left = 3;
  ScriptedSink sink(
      [](std::span<const Record>) { return DeliveryOutcome::failed(Error::retriable("x")); });
  auto batch = batch_of_size(1);
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  EXPECT_EQ(harness.waits, 3);
  EXPECT_THAT(harness.dead_lettered_ids(), ElementsAre("e0"));
  EXPECT_THAT(harness.handled, ElementsAre(0));
}

TEST(BatchDelivery, StoppingWhileTheDeadLettersAreDownLeavesTheRecordUnhandled) {
  Harness harness;
  harness.policy.maximum_retry_attempts = 0;
  harness.dead_letters.failures_left = 1000;
  harness.waits_allowed = 5;
  ScriptedSink sink(
      [](std::span<const Record>) { return DeliveryOutcome::failed(Error::retriable("x")); });
  auto batch = batch_of_size(1);
  EXPECT_FALSE(harness.delivery().deliver(sink, batch));
  EXPECT_THAT(harness.handled, IsEmpty());
}

TEST(BatchDelivery, StoppingDuringRetriesLeavesTheFailedRecordsUnhandled) {
  Harness harness;
  harness.waits_allowed = 2;
  ScriptedSink sink([](std::span<const Record> batch) { return refusing(batch, {"e1"}); });
  auto batch = batch_of({"a", "b", "c"});
  EXPECT_FALSE(harness.delivery().deliver(sink, batch));
  EXPECT_THAT(harness.handled, ElementsAre(0, 2));
}

TEST(BatchDelivery, ABufferingSinkIsRetriedWithoutLimitAndNeverDeadLetters) {
  Harness harness;
  harness.policy.maximum_retry_attempts = 0;
  int calls = 0;
  ScriptedSink sink(
      [&](std::span<const Record> batch) {
        if (++calls <= 5) return DeliveryOutcome::failed(Error::retriable("disk full"));
        return all_delivered(batch);
      },
      /*buffering=*/true);
  auto batch = batch_of_size(2);
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  EXPECT_THAT(harness.dead_lettered_ids(), IsEmpty());
  EXPECT_THAT(harness.handled, ElementsAre(0, 1));
}

// An enrichment in front of a buffering sink fails before the sink takes anything: the records'
// failure, so the retry limit and the dead letters apply; the sink's own errors still do not.
TEST(BatchDelivery, ABufferingSinksRefusalBeforeTakingTheBatchFollowsTheRetryPolicy) {
  Harness harness;
  harness.policy.maximum_retry_attempts = 1;
  int calls = 0;
  ScriptedSink sink(
      [&](std::span<const Record> batch) {
        ++calls;
        if (calls == 1) return DeliveryOutcome::failed(Error::retriable("disk full"));
        if (contains(batch, "e1")) {
          auto outcome = DeliveryOutcome::failed(Error::retriable("enrichment failed"));
          outcome.refused_before_buffering = true;
          return outcome;
        }
        return all_delivered(batch);
      },
      /*buffering=*/true);
  harness.policy.bisect_batch_on_error = true;
  auto batch = batch_of_size(3);
  EXPECT_TRUE(harness.delivery().deliver(sink, batch));
  EXPECT_THAT(harness.dead_lettered_ids(), ElementsAre("e1"));
  EXPECT_EQ(harness.dead_letters.written.front().condition, "RetryAttemptsExhausted");
  EXPECT_EQ(harness.dead_letters.written.front().attempts, 2);
  std::set<uint64_t> handled(harness.handled.begin(), harness.handled.end());
  EXPECT_EQ(handled, (std::set<uint64_t>{0, 1, 2}));
}

TEST(BatchDelivery, StoppingWhileABufferingSinkIsRetriedLeavesTheBatchUnhandled) {
  Harness harness;
  harness.waits_allowed = 2;
  ScriptedSink sink(
      [](std::span<const Record>) {
        return DeliveryOutcome::failed(Error::retriable("disk full"));
      },
      /*buffering=*/true);
  auto batch = batch_of_size(2);
  EXPECT_FALSE(harness.delivery().deliver(sink, batch));
  EXPECT_THAT(harness.handled, IsEmpty());
  EXPECT_THAT(harness.dead_lettered_ids(), IsEmpty());
}

TEST(BatchDelivery, AFatalErrorStopsTheShard) {
  Harness harness;
  ScriptedSink sink(
      [](std::span<const Record>) { return DeliveryOutcome::failed(Error::fatal("broken")); });
  auto batch = batch_of_size(1);
  EXPECT_FALSE(harness.delivery().deliver(sink, batch));
  ASSERT_TRUE(harness.fatal.has_value());
  EXPECT_EQ(harness.fatal->message, "broken");
}

}  // namespace
}  // namespace shardpipe
