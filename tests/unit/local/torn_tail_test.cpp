// A writer that dies mid-append leaves a torn tail: readers stop before it, the next writer cuts
// it off and goes on, and no sequence number is ever handed out twice.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "log_test_support.hpp"
#include "sources/local/sequence_file.hpp"

namespace shardpipe::local {
namespace {

using testing::LogTest;

constexpr const char* only_shard = "shardId-000000000000";
constexpr uint64_t record_frame_bytes = testing::frame_bytes(3, 50);  // key "key", 50 bytes of data

class TornTail : public LogTest {
 protected:
  void SetUp() override {
    LogTest::SetUp();
    create_log(dir, 1);
    LogWriter writer(dir);
    testing::append_all(writer, "key", testing::numbered("first-", 10, 50));
    segment = testing::segment_files(dir, only_shard).back();
    ASSERT_EQ(testing::file_bytes(segment), 10 * record_frame_bytes);
  }

  void expect_unique_increasing(const std::vector<testing::OwnedRecord>& records) {
    for (size_t index = 1; index < records.size(); ++index) {
      EXPECT_GT(records[index].sequence, records[index - 1].sequence);
    }
  }

  std::filesystem::path segment;
};

TEST_F(TornTail, ReaderStopsBeforeAnIncompleteLastFrame) {
  testing::truncate_to(segment, 9 * record_frame_bytes + 30);
  ShardReader reader(dir, only_shard);
  auto read = testing::read_until_empty(reader);
  ASSERT_EQ(read.size(), 9u);
  EXPECT_EQ(read.back().data, testing::numbered("first-", 10, 50)[8]);
  EXPECT_TRUE(reader.read(100, 1 << 20).records.empty());                // still waiting, no error
  EXPECT_EQ(testing::file_bytes(segment), 9 * record_frame_bytes + 30);  // readers never repair
}

TEST_F(TornTail, WriterCutsItOffAndContinuesWithFreshSequences) {
  testing::truncate_to(segment,
                       9 * record_frame_bytes + 5);  // even the header of the 10th frame is torn
  ShardReader reader(dir, only_shard);
  ASSERT_EQ(testing::read_until_empty(reader).size(), 9u);

  LogWriter writer(dir);
  auto appended = testing::append_all(writer, "key", testing::numbered("second-", 5, 50));
  EXPECT_EQ(appended.front().sequence, 11u);  // 10 was handed out before the crash: never reused
  EXPECT_EQ(testing::file_bytes(segment), 14 * record_frame_bytes);

  auto rest = testing::read_until_empty(reader);  // the waiting reader goes on
  ASSERT_EQ(rest.size(), 5u);
  EXPECT_EQ(rest.front().data, testing::numbered("second-", 5, 50)[0]);
  auto all = testing::read_shard(dir, only_shard);
  EXPECT_EQ(all.size(), 14u);
  expect_unique_increasing(all);
}

TEST_F(TornTail, LastFrameWithBadChecksumIsATornTail) {
  testing::flip_byte(segment, 9 * record_frame_bytes + 40);
  EXPECT_EQ(testing::read_shard(dir, only_shard).size(), 9u);
  LogWriter writer(dir);
  testing::append_all(writer, "key", {"after"});
  auto all = testing::read_shard(dir, only_shard);
  ASSERT_EQ(all.size(), 10u);
  EXPECT_EQ(all.back().data, "after");
  expect_unique_increasing(all);
}

TEST_F(TornTail, ZeroFilledTailAfterACrashIsATornTail) {
  testing::write_at(segment, 10 * record_frame_bytes, std::string(4096, '\0'));
  EXPECT_EQ(testing::read_shard(dir, only_shard).size(), 10u);
  LogWriter writer(dir);
  testing::append_all(writer, "key", {"after"});
  EXPECT_EQ(testing::file_bytes(segment), 10 * record_frame_bytes + testing::frame_bytes(3, 5));
  EXPECT_EQ(testing::read_shard(dir, only_shard).size(), 11u);
}

TEST_F(TornTail, RunningWriterRepairsAfterAnotherWriterDiedMidAppend) {
  LogWriter survivor(dir);
  testing::append_all(survivor, "key", {"before"});  // the survivor has repaired and knows the tail
  // What a writer killed mid-append leaves: counter reserved and marked dirty, half a frame
  // written.
  detail::SequenceFile sequence_file(dir);
  auto state = sequence_file.read();
  ASSERT_TRUE(state && state->clean);
  sequence_file.write({state->next_sequence + 3, state->last_arrival_us, false});
  uint64_t size = testing::file_bytes(segment);
  std::string half_frame(20, '\0');
  std::ifstream(segment, std::ios::binary)
      .read(half_frame.data(), 20);  // a real header, then nothing
  testing::write_at(segment, size, half_frame);

  auto appended = testing::append_all(survivor, "key", {"after"});
  EXPECT_EQ(appended.front().sequence, state->next_sequence + 3);
  EXPECT_EQ(testing::file_bytes(segment), size + testing::frame_bytes(3, 5));
  auto all = testing::read_shard(dir, only_shard);
  ASSERT_EQ(all.size(), 12u);
  EXPECT_EQ(all.back().data, "after");
  expect_unique_increasing(all);
}

TEST_F(TornTail, StaleOrMissingSequenceFileNeverReusesNumbers) {
  detail::SequenceFile(dir).write({1, 0, true});  // as if the last updates were lost
  {
    LogWriter writer(dir);
    EXPECT_EQ(testing::append_all(writer, "key", {"a"}).front().sequence, 11u);
  }
  std::filesystem::remove(dir / "SEQUENCE");
  LogWriter writer(dir);
  EXPECT_EQ(testing::append_all(writer, "key", {"b"}).front().sequence, 12u);
}

TEST_F(TornTail, EmptyLastSegmentLeftByACrashIsReused) {
  LogWriter writer(dir, {.segment_bytes = 10 * record_frame_bytes});
  // A crash right after a roll created the next segment but before any frame reached it.
  detail::SequenceFile(dir).write({15, 0, false});
  std::ofstream(segment.parent_path() / "00000000000000000013.seg").close();
  auto appended = testing::append_all(writer, "key", {"c"});
  EXPECT_EQ(appended.front().sequence, 15u);
  auto files = testing::segment_files(dir, only_shard);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(testing::file_bytes(files[1]), testing::frame_bytes(3, 1));
  auto all = testing::read_shard(dir, only_shard);
  ASSERT_EQ(all.size(), 11u);
  EXPECT_EQ(all.back().sequence, 15u);
}

}  // namespace
}  // namespace shardpipe::local
