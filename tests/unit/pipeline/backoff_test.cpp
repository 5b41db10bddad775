#include "pipeline/backoff.hpp"

#include <gtest/gtest.h>

namespace shardpipe {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, WaitsGrowByDoublingWithJitterAndStopAtTheMaximum) {
  Backoff backoff(100ms, 1s);
  std::chrono::milliseconds ceiling = 100ms;
  for (int attempt = 0; attempt < 12; ++attempt) {
    auto wait = backoff.next();
    EXPECT_GE(wait, ceiling / 2) << "attempt " << attempt;
    EXPECT_LE(wait, ceiling) << "attempt " << attempt;
    ceiling = std::min<std::chrono::milliseconds>(ceiling * 2, 1s);
  }
  EXPECT_EQ(backoff.attempts(), 12);
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
