#include "pipeline/checkpoint_tracker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace shardpipe {
namespace {

TEST(CheckpointTracker, NothingToCheckpointUntilTheFirstRecordIsHandled) {
  CheckpointTracker tracker(100);
  tracker.track("10");
  tracker.track("20");
  EXPECT_FALSE(tracker.checkpointable());
  EXPECT_EQ(tracker.in_flight(), 2u);
}

TEST(CheckpointTracker, OutOfOrderAcksNeverPassTheFirstUnhandledRecord) {
  CheckpointTracker tracker(100);
  auto a = tracker.track("10");
  auto b = tracker.track("20");
  auto c = tracker.track("30");
  auto d = tracker.track("40");
  tracker.handled(c);
  tracker.handled(d);
  EXPECT_FALSE(tracker.checkpointable()) << "10 is not handled: nothing may be checkpointed";
  tracker.handled(a);
  EXPECT_EQ(tracker.checkpointable(), "10") << "20 is still in flight";
  tracker.handled(b);
  EXPECT_EQ(tracker.checkpointable(), "40");
  EXPECT_TRUE(tracker.all_handled());
}

TEST(CheckpointTracker, RandomAckOrderAlwaysYieldsThePrefixBoundary) {
  std::mt19937 random(7);
  for (int round = 0; round < 50; ++round) {
    CheckpointTracker tracker(1000);
    std::vector<uint64_t> ordinals;
    for (int i = 0; i < 200; ++i) ordinals.push_back(tracker.track(std::to_string(1000 + i)));
    std::vector<uint64_t> order = ordinals;
    std::shuffle(order.begin(), order.end(), random);
    std::vector<bool> done(200, false);
    for (auto ordinal : order) {
      tracker.handled(ordinal);
      done[ordinal] = true;
      size_t prefix = 0;
      while (prefix < done.size() && done[prefix]) ++prefix;
      auto checkpoint = tracker.checkpointable();
      if (prefix == 0) {
        EXPECT_FALSE(checkpoint);
      } else {
        ASSERT_TRUE(checkpoint);
        EXPECT_EQ(*checkpoint, std::to_string(1000 + prefix - 1));
      }
    }
  }
}

TEST(CheckpointTracker, MarkCheckpointedHidesTheSameValue) {
  CheckpointTracker tracker(10);
  tracker.handled(tracker.track("5"));
  ASSERT_EQ(tracker.checkpointable(), "5");
  tracker.mark_checkpointed("5");
  EXPECT_FALSE(tracker.checkpointable());
  tracker.handled(tracker.track("6"));
  EXPECT_EQ(tracker.checkpointable(), "6");
}

TEST(CheckpointTracker, CapsRecordsInFlight) {
  CheckpointTracker tracker(3);
  auto a = tracker.track("1");
  tracker.track("2");
  tracker.track("3");
  EXPECT_TRUE(tracker.full());
  tracker.handled(a);
  EXPECT_FALSE(tracker.full());
}

TEST(CheckpointTracker, AbandonForgetsInFlightRecordsAndLateAcks) {
  CheckpointTracker tracker(10);
  auto a = tracker.track("1");
  tracker.track("2");
  tracker.abandon();
  tracker.handled(a);  // a late acknowledgement from before a reset must not count
  EXPECT_FALSE(tracker.checkpointable());
  EXPECT_TRUE(tracker.all_handled());
  auto c = tracker.track("100");
  tracker.handled(c);
  EXPECT_EQ(tracker.checkpointable(), "100");
}

}  // namespace
}  // namespace shardpipe

namespace shardpipe {
namespace {

TEST(CheckpointTracker, ChargesUnhandledRecordsToThePipesBudgetAndGivesThemBack) {
  InFlightBudget budget(3, 1000);
  {
    CheckpointTracker tracker(100, &budget);
    auto first = tracker.track("1", 400);
    auto second = tracker.track("2", 500);
    EXPECT_EQ(budget.records_in_flight(), 2u);
    EXPECT_EQ(budget.bytes_in_flight(), 900u);
    EXPECT_EQ(budget.bytes_room(), 100u);
    // Handled out of order: the bytes are free at once, though the checkpoint cannot move yet.
    tracker.handled(second);
    tracker.handled(second);  // twice: counted once
    EXPECT_EQ(budget.records_in_flight(), 1u);
    EXPECT_EQ(budget.bytes_in_flight(), 400u);
    EXPECT_FALSE(tracker.checkpointable());
    tracker.handled(first);
    EXPECT_EQ(tracker.checkpointable(), "2");
    tracker.track("3", 1200);  // bigger than the whole budget: allowed, and then nothing fits
    EXPECT_TRUE(budget.exhausted());
    tracker.abandon();
    EXPECT_EQ(budget.records_in_flight(), 0u);
    tracker.track("4", 10);
  }
  // A consumer that goes away gives back what it still held.
  EXPECT_EQ(budget.records_in_flight(), 0u);
  EXPECT_EQ(budget.bytes_in_flight(), 0u);
  EXPECT_EQ(budget.bytes_room(), 1000u);
}

}  // namespace
}  // namespace shardpipe
