// The buffering shared by the file and s3 targets: full units written as they fill, records
// reported delivered only once their unit is written, a failed write kept for the next attempt,
// and a checkpoint asked for after a unit closed early (and only then).
#include "targets/unit_sink.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shardpipe {
namespace {

struct WrittenUnit {
  std::string first_sequence;
  std::string content;
};

class RecordingSink final : public UnitSink {
 public:
  explicit RecordingSink(size_t records_per_unit) : UnitSink(records_per_unit) {}
  std::vector<WrittenUnit> written;
  int failures_to_come = 0;

 private:
  Status write_unit(const std::string& first_sequence, std::string_view content) override {
    if (failures_to_come > 0) {
      --failures_to_come;
      return fail(Error::retriable("S3 is down"));
    }
    written.push_back({first_sequence, std::string(content)});
    return {};
  }
};

std::vector<Record> records(uint64_t first, uint64_t count) {
  std::vector<Record> out;
  for (uint64_t i = first; i < first + count; ++i) {
    out.push_back({.ordinal = i,
                   .sequence_number = std::to_string(100 + i),
                   .envelope = "{\"n\":" + std::to_string(i) + "}"});
  }
  return out;
}

std::vector<uint64_t> range(uint64_t first, uint64_t count) {
  std::vector<uint64_t> out;
  for (uint64_t i = first; i < first + count; ++i) out.push_back(i);
  return out;
}

TEST(UnitSink, WritesFullUnitsAsTheyFill) {
  RecordingSink sink(3);
  auto batch = records(0, 7);
  auto outcome = sink.deliver(batch);
  EXPECT_EQ(outcome.accepted, 7u);
  EXPECT_FALSE(outcome.error);
  EXPECT_FALSE(outcome.checkpoint_now);
  EXPECT_EQ(outcome.delivered, range(0, 6));
  ASSERT_EQ(sink.written.size(), 2u);
  EXPECT_EQ(sink.written[0].first_sequence, "100");
  EXPECT_EQ(sink.written[0].content, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
  EXPECT_EQ(sink.written[1].first_sequence, "103");
  EXPECT_EQ(sink.pending(), 1u);
  EXPECT_TRUE(sink.buffering());
}

TEST(UnitSink, AnEarlyCloseAsksForACheckpoint) {
  RecordingSink sink(3);
  auto batch = records(0, 4);
  sink.deliver(batch);
  auto flushed = sink.flush();
  EXPECT_TRUE(flushed.checkpoint_now);
  EXPECT_EQ(flushed.delivered, std::vector<uint64_t>{3});
  ASSERT_EQ(sink.written.size(), 2u);
  EXPECT_EQ(sink.written[1].first_sequence, "103");
  EXPECT_EQ(sink.pending(), 0u);
  // Nothing buffered: nothing to write, no checkpoint asked for.
  auto again = sink.flush();
  EXPECT_FALSE(again.checkpoint_now);
  EXPECT_TRUE(again.delivered.empty());
}

TEST(UnitSink, AFailedWriteKeepsTheUnitForTheNextAttempt) {
  RecordingSink sink(3);
  sink.failures_to_come = 1;
  auto batch = records(0, 5);
  auto first = sink.deliver(batch);
  ASSERT_TRUE(first.error);
  EXPECT_EQ(first.accepted, 3u);  // the unit's records are taken; the rest is offered again
  EXPECT_TRUE(first.delivered.empty());
  EXPECT_TRUE(sink.written.empty());

  auto rest = std::span<const Record>(batch).subspan(first.accepted);
  auto second = sink.deliver(rest);
  EXPECT_FALSE(second.error);
  EXPECT_EQ(second.accepted, 2u);
  EXPECT_EQ(second.delivered, range(0, 3));
  ASSERT_EQ(sink.written.size(), 1u);
  EXPECT_EQ(sink.written[0].first_sequence, "100");
  EXPECT_EQ(sink.pending(), 2u);
}

TEST(UnitSink, AFullUnitWrittenByAFlushIsNoEarlyClose) {
  RecordingSink sink(2);
  sink.failures_to_come = 1;
  auto batch = records(0, 2);
  EXPECT_TRUE(sink.deliver(batch).error);
  auto flushed = sink.flush();
  EXPECT_FALSE(flushed.error);
  EXPECT_FALSE(flushed.checkpoint_now);  // it ended where a replay ends it too
  EXPECT_EQ(flushed.delivered, range(0, 2));
}

TEST(UnitSink, AFailedFlushReportsNothingDelivered) {
  RecordingSink sink(5);
  auto batch = records(0, 2);
  sink.deliver(batch);
  sink.failures_to_come = 1;
  auto failed = sink.flush();
  EXPECT_TRUE(failed.error);
  EXPECT_FALSE(failed.checkpoint_now);
  EXPECT_TRUE(failed.delivered.empty());
  EXPECT_EQ(sink.pending(), 2u);
  auto retried = sink.flush();
  EXPECT_TRUE(retried.checkpoint_now);
  EXPECT_EQ(retried.delivered, range(0, 2));
}

}  // namespace
}  // namespace shardpipe
