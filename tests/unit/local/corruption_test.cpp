// Damage that is not a torn tail must stop readers and writers with the file and byte offset.
#include <gtest/gtest.h>

#include "log_test_support.hpp"

namespace shardpipe::local {
namespace {

using testing::LogTest;

constexpr const char* only_shard = "shardId-000000000000";
constexpr uint64_t record_frame_bytes = testing::frame_bytes(3, 50);

// Expects `action` to throw LogError(corrupt) naming `file` and `offset`, and `also` if given.
template <typename Action>
void expect_corrupt(Action action, const std::filesystem::path& file, uint64_t offset,
                    const std::string& also = {}) {
  try {
    action();
    ADD_FAILURE() << "no error";
  } catch (const LogError& error) {
    EXPECT_EQ(error.code(), LogErrorCode::corrupt) << error.what();
    std::string message = error.what();
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find("byte offset " + std::to_string(offset)), std::string::npos) << message;
    EXPECT_NE(message.find(also), std::string::npos) << message;
  }
}

void expect_reader_and_writer_fail(const std::filesystem::path& dir,
                                   const std::filesystem::path& file, uint64_t offset,
                                   const std::string& also = {}) {
  expect_corrupt([&] { testing::read_shard(dir, only_shard); }, file, offset, also);
  expect_corrupt(
      [&] {
        LogWriter writer(dir);
        testing::append_all(writer, "key", {"more"});
      },
      file, offset, also);
}

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

  void expect_reader_and_writer_fail(const std::filesystem::path& file, uint64_t offset,
                                     const std::string& also = {}) {
    local::expect_reader_and_writer_fail(dir, file, offset, also);
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

// A bit flip that makes a length run past the end of the file looks like a torn tail, but the
// frames after it prove otherwise: they must not be hidden from readers or cut off by writers.
TEST_F(Corruption, LengthRunningPastTheEndWithFramesAfterIt) {
  uint64_t damaged = 2 * record_frame_bytes;     // the third of five frames
  testing::flip_byte(segments[2], damaged + 2);  // length 73 becomes 0x5a0049, within the limit
  std::string before = testing::read_file(segments[2]);
  ShardReader reader(dir, only_shard);
  size_t returned = 0;
  expect_corrupt(
      [&] {
        while (true) {
          returned += reader.read(7, 1 << 20).records.size();
        }
      },
      segments[2], damaged);
  EXPECT_EQ(returned, 22u);
  std::string proof =
      "a valid frame follows at byte offset " + std::to_string(damaged + record_frame_bytes);
  expect_reader_and_writer_fail(segments[2], damaged, proof);
  expect_corrupt([&] { reader.seek_latest(); }, segments[2], damaged, proof);
  expect_corrupt([&] { reader.last_sequence(); }, segments[2], damaged, proof);
  EXPECT_EQ(testing::read_file(segments[2]), before);  // nothing was cut off
}

TEST_F(Corruption, LengthCoveringTheLaterFramesExactly) {
  // The damaged length ends exactly at the end of the file: a CRC mismatch with nothing after it.
  uint64_t damaged = 2 * record_frame_bytes;
  auto covering = static_cast<unsigned char>(3 * record_frame_bytes - 8);
  testing::write_at(segments[2], damaged,
                    std::string{static_cast<char>(covering), '\0', '\0', '\0'});
  expect_reader_and_writer_fail(segments[2], damaged, "CRC32C mismatch, but a valid frame follows");
  EXPECT_EQ(testing::file_bytes(segments[2]), 5 * record_frame_bytes);
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

class CorruptionBeforeALargeFrame : public LogTest {};

// A frame larger than the buffer the search reads at a time is checked from the file in pieces.
TEST_F(CorruptionBeforeALargeFrame, IsFoundAfterALengthRunningPastTheEnd) {
  create_log(dir, 1);
  {
    LogWriter writer(dir);
    testing::append_all(writer, "key", {"small", std::string(3u << 20, 'x'), "last"});
  }
  auto segment = testing::segment_files(dir, only_shard).back();
  uint64_t size = testing::file_bytes(segment);
  testing::flip_byte(segment, 2);  // the first frame's length now runs past the end
  expect_reader_and_writer_fail(
      dir, segment, 0,
      "a valid frame follows at byte offset " + std::to_string(testing::frame_bytes(3, 5)));
  EXPECT_EQ(testing::file_bytes(segment), size);
}

}  // namespace
}  // namespace shardpipe::local
