// Damage that is not a torn tail must stop readers and writers with the file and byte offset.
#include <gtest/gtest.h>

#include "log_test_support.hpp"

namespace shardpipe::local {
namespace {

using testing::LogTest;

constexpr const char* only_shard = "shardId-000000000000";
constexpr uint64_t record_frame_bytes = testing::frame_bytes(3, 50);

class Corruption : public LogTest {
 protected:
  void SetUp() override {
    LogTest::SetUp();
    create_log(dir, 1);
    LogWriter writer(dir, {.segment_bytes = 10 * record_frame_bytes});
    testing::append_all(writer, "key", testing::numbered("r", 25, 50));
    segments = testing::segment_files(dir, only_shard);
    ASSERT_EQ(segments.size(), 3u);
  }

  // Expects `action` to throw LogError(corrupt) naming `file` and `offset`.
  template <typename Action>
  void expect_corrupt(Action action, const std::filesystem::path& file, uint64_t offset) {
    try {
      action();
      ADD_FAILURE() << "no error";
    } catch (const LogError& error) {
      EXPECT_EQ(error.code(), LogErrorCode::corrupt) << error.what();
      std::string message = error.what();
      EXPECT_NE(message.find(file.string()), std::string::npos) << message;
      EXPECT_NE(message.find("byte offset " + std::to_string(offset)), std::string::npos)
          << message;
    }
  }

  void expect_reader_and_writer_fail(const std::filesystem::path& file, uint64_t offset) {
    expect_corrupt([&] { testing::read_shard(dir, only_shard); }, file, offset);
    expect_corrupt(
        [&] {
          LogWriter writer(dir);
          testing::append_all(writer, "key", {"more"});
        },
        file, offset);
  }

  std::vector<std::filesystem::path> segments;
};

TEST_F(Corruption, FlippedByteInTheMiddleOfTheLastSegment) {
  testing::flip_byte(segments[2],
                     2 * record_frame_bytes + 33);  // data of the third frame; two follow
  // Everything before the damage is still returned; then the reader stops with the error.
  ShardReader reader(dir, only_shard);
  size_t returned = 0;
  expect_corrupt(
      [&] {
        while (true) {
          returned += reader.read(7, 1 << 20).records.size();
        }
      },
      segments[2], 2 * record_frame_bytes);
  EXPECT_EQ(returned, 22u);
  expect_reader_and_writer_fail(segments[2], 2 * record_frame_bytes);
  EXPECT_EQ(testing::file_bytes(segments[2]), 5 * record_frame_bytes);  // nothing was cut off
}

TEST_F(Corruption, ImpossibleLengthFollowedByData) {
  testing::write_at(segments[2], record_frame_bytes, std::string("\xff\xff\xff\xff", 4));
  expect_reader_and_writer_fail(segments[2], record_frame_bytes);
}

TEST_F(Corruption, BadFrameInASegmentThatIsNotTheLast) {
  testing::flip_byte(segments[1], 9 * record_frame_bytes + 40);  // its last frame: still not a tail
  expect_corrupt([&] { testing::read_shard(dir, only_shard); }, segments[1],
                 9 * record_frame_bytes);
}

TEST_F(Corruption, IncompleteFrameAtTheEndOfASegmentThatIsNotTheLast) {
  testing::truncate_to(segments[0], 9 * record_frame_bytes + 10);
  expect_corrupt([&] { testing::read_shard(dir, only_shard); }, segments[0],
                 9 * record_frame_bytes);
}

TEST_F(Corruption, StatusScansReportItToo) {
  testing::flip_byte(segments[2], 30);
  ShardReader reader(dir, only_shard);
  expect_corrupt([&] { reader.last_sequence(); }, segments[2], 0);
  expect_corrupt([&] { reader.count_after(std::nullopt); }, segments[2], 0);
}

}  // namespace
}  // namespace shardpipe::local
