// A delivery lane on its own thread: order within the lane, flushes of buffering sinks on drain
// and when asked (only once nothing else is left to send), and stops that abandon a delivery
// stuck in retries.
#include "pipeline/delivery_lane.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

namespace shardpipe {
namespace {

using namespace std::chrono_literals;

// Remembers the ordinals it delivered, in order; can hold them (buffering) until flushed, fail
// every attempt, or sleep a little per batch.
class RecordingSink final : public ShardSink {
 public:
  RecordingSink(bool buffering, bool failing, std::chrono::microseconds max_delay = 0us)
      : buffering_(buffering), failing_(failing), max_delay_(max_delay) {}

  // Every flush fails with `error`, as a target gone for good.
  void fail_flushes(Error error) { flush_error_ = std::move(error); }

  DeliveryOutcome deliver(std::span<const Record> batch) override {
    if (max_delay_.count() > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(random_() % max_delay_.count()));
    }
    if (failing_) return DeliveryOutcome::failed(Error::retriable("target down"));
    DeliveryOutcome outcome;
    outcome.accepted = batch.size();
    std::lock_guard lock(mutex_);
    for (const auto& record : batch) {
      if (buffering_) {
        held_.push_back(record.ordinal);
      } else {
        outcome.delivered.push_back(record.ordinal);
        delivered_.push_back(record.ordinal);
      }
    }
    return outcome;
  }
  DeliveryOutcome flush() override {
    std::lock_guard lock(mutex_);
    ++flushes_;
    if (flush_error_) return DeliveryOutcome::failed(*flush_error_);
    DeliveryOutcome outcome;
    outcome.delivered = std::exchange(held_, {});
    delivered_.insert(delivered_.end(), outcome.delivered.begin(), outcome.delivered.end());
    return outcome;
  }
  size_t pending() const override {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  bool buffering() const override { return buffering_; }

  std::vector<uint64_t> delivered() const {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  int flushes() const {
    std::lock_guard lock(mutex_);
    return flushes_;
  }

 private:
  bool buffering_;
  bool failing_;
  std::chrono::microseconds max_delay_;
  std::minstd_rand random_{7};
  mutable std::mutex mutex_;
  std::vector<uint64_t> held_;
  std::vector<uint64_t> delivered_;
  int flushes_ = 0;
  std::optional<Error> flush_error_;
};

struct LaneHarness {
  DeliveryCounters counters;
  std::atomic<bool> keep_going{true};
  std::mutex mutex;
  std::vector<uint64_t> handled;  // by the delivery hooks and by flushes
  std::vector<Error> fatal;       // from flushes
  RecordingSink* sink = nullptr;

  std::unique_ptr<DeliveryLane> make(std::unique_ptr<RecordingSink> owned) {
    sink = owned.get();
    RetryPolicy policy;
    policy.backoff_initial = 10s;  // a retry waits long: only a stop can end it soon
    policy.backoff_max = 10s;
    auto make_delivery = [this, policy](DeliveryLane::Wait wait) {
      return BatchDelivery(policy, nullptr, counters, "local", "shardId-000000000000",
                           BatchDelivery::Hooks{
                               .handled =
                                   [this](std::span<const uint64_t> ordinals) {
                                     for (auto ordinal : ordinals) note_handled(ordinal);
                                   },
                               .wait = std::move(wait),
                               .checkpoint_now = [] { return true; },
                               .fatal = [](Error) {},
                               .now_ms = [] { return int64_t{0}; },
                           });
    };
    DeliveryLane::Hooks hooks{
        .keep_going = [this] { return keep_going.load(); },
        .flushed =
            [this](const DeliveryOutcome& outcome) {
              for (auto ordinal : outcome.delivered) note_handled(ordinal);
            },
        .unit_closed_early = [] {},
        .fatal =
            [this](Error error) {
              std::lock_guard lock(mutex);
              fatal.push_back(std::move(error));
            },
        .batch_delivered_in = [](double) {},
    };
    DeliveryLane::Settings settings{.name = "shardId-000000000000",
                                    .batch_size = 7,
                                    .backoff_initial = 10s,
                                    .backoff_max = 10s};
    return std::make_unique<DeliveryLane>(settings, std::move(owned), make_delivery, hooks);
  }

  void note_handled(uint64_t ordinal) {
    std::lock_guard lock(mutex);
    handled.push_back(ordinal);
  }
  size_t handled_count() {
    std::lock_guard lock(mutex);
    return handled.size();
  }
};

std::vector<Record> records(uint64_t first, uint64_t count) {
  std::vector<Record> out;
  for (uint64_t i = first; i < first + count; ++i) {
    Record record;
    record.ordinal = i;
    record.sequence_number = std::to_string(i + 1);
    record.event_id = "e" + std::to_string(i);
    record.envelope = "{}";
    out.push_back(std::move(record));
  }
  return out;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 5s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

TEST(DeliveryLane, DeliversEverythingPushedInPushOrder) {
  LaneHarness harness;
  auto lane = harness.make(std::make_unique<RecordingSink>(false, false, 300us));
  for (uint64_t first = 0; first < 1000; first += 50) lane->push(records(first, 50));
  ASSERT_TRUE(lane->drain());
  std::vector<uint64_t> expected(1000);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(harness.sink->delivered(), expected);
  EXPECT_EQ(harness.handled_count(), 1000u);
  EXPECT_FALSE(lane->halted());
  EXPECT_NE(lane->stop(), nullptr);
}

TEST(DeliveryLane, DrainFlushesWhatABufferingSinkHolds) {
  LaneHarness harness;
  auto lane = harness.make(std::make_unique<RecordingSink>(true, false));
  lane->push(records(0, 20));
  ASSERT_TRUE(lane->drain());
  EXPECT_EQ(harness.sink->delivered().size(), 20u);
  EXPECT_EQ(harness.sink->pending(), 0u);
  EXPECT_EQ(harness.handled_count(), 20u);
}

TEST(DeliveryLane, AFlushRequestClosesTheOpenUnitOnceTheLaneHasNothingElseToSend) {
  LaneHarness harness;
  auto lane = harness.make(std::make_unique<RecordingSink>(true, false));
  lane->push(records(0, 30));
  EXPECT_TRUE(eventually([&] { return harness.sink->pending() == 30; }));
  EXPECT_EQ(harness.handled_count(), 0u);
  lane->request_flush();
  EXPECT_TRUE(eventually([&] { return harness.handled_count() == 30; }));
}

TEST(DeliveryLane, AFlushRefusedForGoodStopsTheLaneInsteadOfRetryingForever) {
  LaneHarness harness;
  auto sink = std::make_unique<RecordingSink>(true, false);
  sink->fail_flushes(Error::fatal("the bucket does not exist"));
  auto lane = harness.make(std::move(sink));
  lane->push(records(0, 5));
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(lane->drain());
  // No backoff wait (10 s here): the error is reported at once, once.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(harness.sink->flushes(), 1);
  std::lock_guard lock(harness.mutex);
  ASSERT_EQ(harness.fatal.size(), 1u);
  EXPECT_EQ(harness.fatal[0].message, "the bucket does not exist");
  EXPECT_TRUE(harness.handled.empty());
}

TEST(DeliveryLane, StopAbandonsADeliveryWaitingToRetry) {
  LaneHarness harness;
  auto lane = harness.make(std::make_unique<RecordingSink>(false, true));
  lane->push(records(0, 3));
  std::this_thread::sleep_for(50ms);  // the first attempt failed; the retry waits 10 s
  auto started = std::chrono::steady_clock::now();
  EXPECT_NE(lane->stop(), nullptr);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_EQ(harness.handled_count(), 0u);
  EXPECT_FALSE(lane->drain());
}

TEST(DeliveryLane, HaltsWhenItsShardStopsAndADrainThenFails) {
  LaneHarness harness;
  auto lane = harness.make(std::make_unique<RecordingSink>(false, true));
  lane->push(records(0, 3));
  harness.keep_going = false;
  EXPECT_TRUE(eventually([&] { return lane->halted(); }));
  EXPECT_FALSE(lane->drain());
  EXPECT_EQ(harness.handled_count(), 0u);
}

}  // namespace
}  // namespace shardpipe
