#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "log_test_support.hpp"

namespace shardpipe::local {
namespace {

using testing::LogTest;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<uint64_t> sequences_of(const std::vector<testing::OwnedRecord>& records) {
  std::vector<uint64_t> sequences;
  for (const auto& record : records) {
    sequences.push_back(record.sequence);
  }
  return sequences;
}

// One shard holding sequences 1..40 in small segments; other shards' records leave gaps.
class Seek : public LogTest {
 protected:
  void SetUp() override {
    LogTest::SetUp();
    create_log(dir, 2);
    writer = std::make_unique<LogWriter>(dir, LogWriterOptions{.segment_bytes = 600});
    key = testing::key_for_shard(dir, "shardId-000000000000");
    other_key = testing::key_for_shard(dir, "shardId-000000000001");
    for (int index = 0; index < 40; ++index) {
      // Every third record goes to the other shard, so shard 0 has gaps in its sequences.
      auto appended = writer->append(std::vector<PutRecord>{
          {index % 3 == 2 ? other_key : key, std::string(60, 'd') + std::to_string(index)}});
      if (appended.front().shard_id == "shardId-000000000000") {
        stored.push_back(appended.front().sequence);
      }
    }
  }

  std::vector<uint64_t> read_all_from(ShardReader& reader) {
    return sequences_of(testing::read_until_empty(reader, nullptr, 4));
  }
  std::vector<uint64_t> stored_from(uint64_t first) {
    std::vector<uint64_t> result;
    for (uint64_t sequence : stored) {
      if (sequence >= first) {
        result.push_back(sequence);
      }
    }
    return result;
  }

  std::unique_ptr<LogWriter> writer;
  std::string key;
  std::string other_key;
  std::vector<uint64_t> stored;  // sequences of shard 0
};

TEST_F(Seek, ShardSpansSeveralSegments) {
  EXPECT_GE(testing::segment_files(dir, "shardId-000000000000").size(), 3u);
  EXPECT_EQ(stored.front(), 1u);
  EXPECT_EQ(stored.size(), 27u);
}

TEST_F(Seek, TrimHorizonReadsEverything) {
  ShardReader reader(dir, "shardId-000000000000");
  reader.seek_at_sequence(20);
  reader.seek_trim_horizon();
  EXPECT_EQ(read_all_from(reader), stored);
}

TEST_F(Seek, LatestReadsOnlyWhatComesAfterTheSeek) {
  ShardReader reader(dir, "shardId-000000000000");
  reader.seek_latest();
  EXPECT_TRUE(read_all_from(reader).empty());
  auto appended = testing::append_all(*writer, key, {"new-1", "new-2"});
  EXPECT_EQ(read_all_from(reader),
            (std::vector<uint64_t>{appended[0].sequence, appended[1].sequence}));
}

TEST_F(Seek, LatestOnAnEmptyShardReadsEverythingThatArrivesLater) {
  create_log(root / "empty", 1);
  ShardReader reader(root / "empty", "shardId-000000000000");
  reader.seek_latest();
  LogWriter empty_writer(root / "empty");
  testing::append_all(empty_writer, "k", {"a", "b"});
  EXPECT_EQ(read_all_from(reader), (std::vector<uint64_t>{1, 2}));
}

TEST_F(Seek, AtSequenceStartsAtThatRecordOrTheNextOneStored) {
  ShardReader reader(dir, "shardId-000000000000");
  for (uint64_t wanted :
       {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{17}, uint64_t{18}, stored.back()}) {
    reader.seek_at_sequence(wanted);
    EXPECT_EQ(read_all_from(reader), stored_from(wanted)) << wanted;
  }
  reader.seek_at_sequence(0);
  EXPECT_EQ(read_all_from(reader), stored);
}

TEST_F(Seek, SkippingDoesNotEndAReadEarly) {
  ShardReader reader(dir, "shardId-000000000000");
  reader.seek_at_sequence(stored[20]);
  ReadResult result = reader.read(100, 0);  // tiny max_bytes: still one record, not an empty batch
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.records[0].sequence, stored[20]);
}

TEST_F(Seek, AfterSequenceSkipsThatRecord) {
  ShardReader reader(dir, "shardId-000000000000");
  for (uint64_t checkpoint : {uint64_t{1}, uint64_t{10}, uint64_t{24}}) {
    reader.seek_after_sequence(checkpoint);
    EXPECT_EQ(read_all_from(reader), stored_from(checkpoint + 1)) << checkpoint;
  }
  reader.seek_after_sequence(stored.back());
  EXPECT_TRUE(read_all_from(reader).empty());
}

TEST_F(Seek, BeyondTheEndWaitsForNewerRecords) {
  ShardReader reader(dir, "shardId-000000000000");
  reader.seek_at_sequence(1000);
  EXPECT_TRUE(read_all_from(reader).empty());
  std::vector<PutRecord> many(1000, PutRecord{key, "filler"});
  auto appended = writer->append(many);
  auto read = read_all_from(reader);
  ASSERT_FALSE(read.empty());
  EXPECT_EQ(read.front(), 1000u);
  EXPECT_EQ(read.back(), appended.back().sequence);
}

TEST_F(Seek, AtTimestampStartsWithTheFirstRecordThatArrivedThen) {
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  int64_t boundary = now_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  auto later = testing::append_all(*writer, key, {"later-1", "later-2"});
  ShardReader reader(dir, "shardId-000000000000");
  reader.seek_at_timestamp(boundary);
  EXPECT_EQ(read_all_from(reader), (std::vector<uint64_t>{later[0].sequence, later[1].sequence}));
  reader.seek_at_timestamp(0);
  EXPECT_EQ(read_all_from(reader).size(), stored.size() + 2);
  reader.seek_at_timestamp(now_ms() + 60'000);
  EXPECT_TRUE(read_all_from(reader).empty());
}

TEST_F(Seek, LastSequenceAndCountAfterDescribeWhatIsStored) {
  ShardReader reader(dir, "shardId-000000000000");
  EXPECT_EQ(reader.last_sequence(), stored.back());
  EXPECT_EQ(reader.count_after(std::nullopt), stored.size());
  EXPECT_EQ(reader.count_after(0), stored.size());
  EXPECT_EQ(reader.count_after(stored[9]), stored.size() - 10);
  EXPECT_EQ(reader.count_after(stored.back()), 0u);
  EXPECT_EQ(reader.count_after(100000), 0u);

  create_log(root / "empty", 1);
  ShardReader empty(root / "empty", "shardId-000000000000");
  EXPECT_EQ(empty.last_sequence(), std::nullopt);
  EXPECT_EQ(empty.count_after(std::nullopt), 0u);
}

}  // namespace
}  // namespace shardpipe::local
