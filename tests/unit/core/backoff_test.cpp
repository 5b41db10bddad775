#include "core/backoff.hpp"

#include <gtest/gtest.h>

namespace shardpipe {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, WaitsGrowByDoublingWithJitterAndStopAtTheMaximum) {
  Backoff backoff(100ms, 1s);
  std::chrono::milliseconds ceiling = 100ms;
  for (int attempt = 0; attempt < 12; ++attempt) {
    auto wait = backoff.next();
    EXPECT_GE(wait, 100ms) << "attempt " << attempt;
    EXPECT_LE(wait, ceiling) << "attempt " << attempt;
    ceiling = std::min<std::chrono::milliseconds>(ceiling * 2, 1s);
  }
  EXPECT_EQ(backoff.attempts(), 12);
}

TEST(Backoff, JitterSpreadsWaitsOverTheWholeRange) {
  Backoff backoff(100ms, 100s);
  for (int i = 0; i < 10; ++i) backoff.next();  // the ceiling is now 100 s
  std::chrono::milliseconds lowest = 100s;
  std::chrono::milliseconds highest = 0ms;
  for (int i = 0; i < 200; ++i) {
    auto wait = backoff.next();
    lowest = std::min(lowest, wait);
    highest = std::max(highest, wait);
  }
  // Full jitter: some waits fall in the lowest quarter and some in the highest.
  EXPECT_LT(lowest, 25s);
  EXPECT_GT(highest, 75s);
}

TEST(Backoff, ResetStartsOverAtTheInitialWait) {
  Backoff backoff(50ms, 10s);
  for (int i = 0; i < 6; ++i) backoff.next();
  backoff.reset();
  EXPECT_LE(backoff.next(), 50ms);
}

TEST(Backoff, AMaximumBelowTheInitialWaitIsRaisedToIt) {
  Backoff backoff(200ms, 10ms);
  for (int i = 0; i < 5; ++i) EXPECT_LE(backoff.next(), 200ms);
}

}  // namespace
}  // namespace shardpipe
