#include "pipeline/batcher.hpp"

#include <gtest/gtest.h>

namespace shardpipe {
namespace {

using namespace std::chrono_literals;
using Clock = Batcher::Clock;

Record record_of(size_t bytes, uint64_t ordinal = 0) {
  Record record;
  record.ordinal = ordinal;
  record.envelope.assign(bytes, 'x');
  return record;
}

TEST(Batcher, ClosesABatchAtBatchSize) {
  Batcher batcher(3, 1 << 20, 10s);
  auto now = Clock::now();
  for (uint64_t i = 0; i < 7; ++i) batcher.add(record_of(10, i), now);
  auto first = batcher.pop_ready(now);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->size(), 3u);
  EXPECT_EQ(first->front().ordinal, 0u);
  auto second = batcher.pop_ready(now);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->front().ordinal, 3u);
  EXPECT_FALSE(batcher.pop_ready(now)) << "the seventh record waits for its window";
  EXPECT_EQ(batcher.size(), 1u);
}

TEST(Batcher, ClosesABatchAtTheByteLimitWithoutExceedingIt) {
  Batcher batcher(100, 250, 10s);
  auto now = Clock::now();
  for (int i = 0; i < 3; ++i) batcher.add(record_of(100), now);
  auto batch = batcher.pop_ready(now);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->size(), 2u) << "a third 100-byte record would pass 250 bytes";
}

TEST(Batcher, ARecordLargerThanTheLimitTravelsAlone) {
  Batcher batcher(100, 50, 10s);
  auto now = Clock::now();
  batcher.add(record_of(10), now);
  batcher.add(record_of(80), now);
  auto first = batcher.pop_ready(now);
  auto second = batcher.pop_ready(now);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->size(), 1u);
  EXPECT_EQ(second->size(), 1u);
  EXPECT_EQ(second->front().envelope.size(), 80u);
}

TEST(Batcher, ReleasesAPartialBatchWhenTheWindowEnds) {
  Batcher batcher(100, 1 << 20, 500ms);
  auto start = Clock::now();
  batcher.add(record_of(10), start);
  batcher.add(record_of(10), start + 100ms);
  EXPECT_FALSE(batcher.pop_ready(start + 499ms));
  EXPECT_EQ(batcher.deadline(), start + 500ms) << "the window runs from the first record";
  auto batch = batcher.pop_ready(start + 500ms);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->size(), 2u);
  EXPECT_TRUE(batcher.empty());
}

TEST(Batcher, AZeroWindowReleasesWhateverIsThere) {
  Batcher batcher(100, 1 << 20, 0ms);
  auto now = Clock::now();
  batcher.add(record_of(10), now);
  auto batch = batcher.pop_ready(now);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->size(), 1u);
}

TEST(Batcher, PopAnyDrainsEverythingInOrder) {
  Batcher batcher(2, 1 << 20, 1h);
  auto now = Clock::now();
  for (uint64_t i = 0; i < 5; ++i) batcher.add(record_of(1, i), now);
  std::vector<uint64_t> seen;
  while (auto batch = batcher.pop_any()) {
    for (const auto& record : *batch) seen.push_back(record.ordinal);
  }
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace shardpipe
