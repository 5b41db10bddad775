// Restarts of a failing record processor back off from 100 ms to 30 s, counted from the
// previous start, and start again from 100 ms after a successful batch.
#include "targets/command/restart_schedule.hpp"

#include <gtest/gtest.h>

namespace shardpipe {
namespace {

using namespace std::chrono_literals;
using Clock = RestartSchedule::Clock;

TEST(RestartSchedule, FirstStartDoesNotWait) {
  RestartSchedule schedule;
  EXPECT_LE(schedule.next_start(), Clock::now());
}

TEST(RestartSchedule, RestartsDoubleFromThePreviousStartUpToTheMaximum) {
  RestartSchedule schedule;
  auto t = Clock::now();
  schedule.started(t);
  EXPECT_EQ(schedule.next_start(), t + 100ms);
  std::vector<std::chrono::milliseconds> waits;
  for (int i = 0; i < 12; ++i) {
    t += 5s;
    schedule.started(t);
    waits.push_back(
        std::chrono::duration_cast<std::chrono::milliseconds>(schedule.next_start() - t));
  }
  EXPECT_EQ(waits,
            (std::vector<std::chrono::milliseconds>{200ms, 400ms, 800ms, 1600ms, 3200ms, 6400ms,
                                                    12800ms, 25600ms, 30s, 30s, 30s, 30s}));
}

TEST(RestartSchedule, SuccessResetsTheBackoff) {
  RestartSchedule schedule;
  auto t = Clock::now();
  for (int i = 0; i < 5; ++i) schedule.started(t += 1s);
  EXPECT_EQ(schedule.next_start(), t + 1600ms);
  schedule.succeeded();
  EXPECT_EQ(schedule.next_start(), t + 100ms);
  schedule.started(t += 1s);
  EXPECT_EQ(schedule.next_start(), t + 200ms);
}

}  // namespace
}  // namespace shardpipe
