#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <functional>
#include <map>
#include <set>

#include "log_test_support.hpp"

namespace shardpipe::local {
namespace {

using testing::LogTest;
using testing::OwnedRecord;

std::string segment_name(uint64_t first_sequence) {
  std::string digits = std::to_string(first_sequence);
  return std::string(20 - digits.size(), '0') + digits + ".seg";
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RoundTrip : public LogTest {};

TEST_F(RoundTrip, EveryShardReturnsItsRecordsInOrder) {
  create_log(dir, 4);
  LogWriter writer(dir);
  std::vector<std::string> keys = testing::numbered("k", 50);
  std::vector<std::string> data = testing::numbered("record-", 2000, 100);
  std::vector<PutRecord> records;
  for (size_t index = 0; index < data.size(); ++index) {
    records.push_back({keys[index % keys.size()], data[index]});
  }
  int64_t before = now_us();
  auto appended = writer.append(std::span(records).first(1000));
  auto more = writer.append(std::span(records).subspan(1000));
  int64_t after = now_us();
  appended.insert(appended.end(), more.begin(), more.end());

  // One counter for the log: unique, increasing in append order, starting at 1.
  for (size_t index = 0; index < appended.size(); ++index) {
    EXPECT_EQ(appended[index].sequence, index + 1);
  }

  std::map<std::string, std::vector<size_t>> expected_by_shard;
  for (size_t index = 0; index < appended.size(); ++index) {
    expected_by_shard[appended[index].shard_id].push_back(index);
  }
  ASSERT_EQ(expected_by_shard.size(), 4u);
  for (const auto& [shard_id, indexes] : expected_by_shard) {
    auto read = testing::read_shard(dir, shard_id);
    ASSERT_EQ(read.size(), indexes.size()) << shard_id;
    for (size_t position = 0; position < read.size(); ++position) {
      size_t index = indexes[position];
      EXPECT_EQ(read[position].sequence, appended[index].sequence);
      EXPECT_EQ(read[position].key, records[index].partition_key);
      EXPECT_EQ(read[position].data, records[index].data);
      EXPECT_GE(read[position].arrival_time_us, before);
      EXPECT_LE(read[position].arrival_time_us, after);
    }
  }
}

TEST_F(RoundTrip, SegmentsRollAtTheConfiguredSizeAndAreNamedByFirstSequence) {
  create_log(dir, 1);
  LogWriter writer(dir, {.segment_bytes = 4096});
  std::vector<std::string> data = testing::numbered("r", 300, 100);
  std::vector<Appended> appended;
  for (int group = 0; group < 3; ++group) {
    auto part = testing::append_all(
        writer, "key",
        std::vector<std::string>(data.begin() + group * 100, data.begin() + (group + 1) * 100));
    appended.insert(appended.end(), part.begin(), part.end());
  }
  auto files = testing::segment_files(dir, "shardId-000000000000");
  uint64_t frame = testing::frame_bytes(3, 100);
  uint64_t frames_per_segment = 4096 / frame;
  ASSERT_EQ(files.size(), (300 + frames_per_segment - 1) / frames_per_segment);
  uint64_t expected_first = 1;
  for (const auto& file : files) {
    EXPECT_EQ(file.filename().string(), segment_name(expected_first));
    EXPECT_LE(testing::file_bytes(file), 4096u);
    expected_first += testing::file_bytes(file) / frame;
  }
  auto read = testing::read_shard(dir, "shardId-000000000000");
  ASSERT_EQ(read.size(), 300u);
  for (size_t index = 0; index < read.size(); ++index) {
    EXPECT_EQ(read[index].sequence, appended[index].sequence);
    EXPECT_EQ(read[index].data, data[index]);
  }
}

TEST_F(RoundTrip, EnvironmentVariableSetsTheSegmentSize) {
  create_log(dir, 1);
  ::setenv(segment_bytes_environment_variable, "1000", 1);
  {
    LogWriter writer(dir);
    testing::append_all(writer, "key", testing::numbered("r", 40, 100));
  }
  ::unsetenv(segment_bytes_environment_variable);
  uint64_t frames_per_segment = 1000 / testing::frame_bytes(3, 100);
  EXPECT_EQ(testing::segment_files(dir, "shardId-000000000000").size(),
            (40 + frames_per_segment - 1) / frames_per_segment);
  EXPECT_EQ(testing::read_shard(dir, "shardId-000000000000").size(), 40u);
}

TEST_F(RoundTrip, RecordsLargerThanTheReadBufferComeBackWhole) {
  create_log(dir, 1);
  LogWriter writer(dir, {.segment_bytes = 1 << 20});
  std::string big(3 << 20, 'x');
  for (size_t index = 0; index < big.size(); index += 4096) {
    big[index] = static_cast<char>('a' + index % 26);
  }
  testing::append_all(writer, "key", {"small", big, "after"});
  auto read = testing::read_shard(dir, "shardId-000000000000");
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[0].data, "small");
  EXPECT_EQ(read[1].data, big);
  EXPECT_EQ(read[2].data, "after");
}

TEST_F(RoundTrip, RecordLargerThanTheReadBufferAtTheTailComesInOneRead) {
  create_log(dir, 1);
  LogWriter writer(dir);
  std::string big(3 << 20, 'x');
  testing::append_all(writer, "key", {big});
  ShardReader reader(dir, "shardId-000000000000");
  auto result = reader.read(10, 64u << 20);
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.records[0].data, big);
}

TEST_F(RoundTrip, EmptyDataAndBinaryBytesSurvive) {
  create_log(dir, 1);
  LogWriter writer(dir);
  std::string binary("\0\n\xff\r\x01", 5);
  testing::append_all(writer, "key", {"", binary});
  auto read = testing::read_shard(dir, "shardId-000000000000");
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].data, "");
  EXPECT_EQ(read[1].data, binary);
}

TEST_F(RoundTrip, ReadStopsAtMaxRecordsAndMaxBytes) {
  create_log(dir, 1);
  LogWriter writer(dir);
  testing::append_all(writer, "k", testing::numbered("r", 100, 99));  // 100 bytes with the key
  ShardReader reader(dir, "shardId-000000000000");
  EXPECT_EQ(reader.read(10, 1 << 20).records.size(), 10u);
  EXPECT_EQ(reader.read(1000, 250).records.size(), 2u);
  EXPECT_EQ(reader.read(1000, 1).records.size(), 1u);  // always at least one record
  auto rest = reader.read(1000, 1 << 20);
  ASSERT_EQ(rest.records.size(), 87u);
  EXPECT_EQ(rest.records.front().sequence, 14u);
  EXPECT_FALSE(rest.shard_end);
  EXPECT_TRUE(reader.read(1000, 1 << 20).records.empty());
}

TEST_F(RoundTrip, OneReadSpansSeveralBuffersWithoutInvalidatingItsRecords) {
  create_log(dir, 1);
  LogWriter writer(dir, {.segment_bytes = 700 * 1024});
  auto data = testing::numbered("record-", 20000, 100);  // about 2.6 MiB: several read buffers
  testing::append_all(writer, "key", data);
  ShardReader reader(dir, "shardId-000000000000");
  for (size_t start : {size_t{0}, size_t{15000}}) {
    ReadResult result = reader.read(15000, 64u << 20);
    ASSERT_EQ(result.records.size(), start == 0 ? 15000u : 5000u);
    for (size_t index = 0; index < result.records.size(); ++index) {
      ASSERT_EQ(result.records[index].data, data[start + index]) << start + index;
      ASSERT_EQ(result.records[index].partition_key, "key");
    }
  }
}

TEST_F(RoundTrip, ReaderAtTheTailSeesLaterAppendsAcrossSegmentRolls) {
  create_log(dir, 1);
  LogWriter writer(dir, {.segment_bytes = 512});
  ShardReader reader(dir, "shardId-000000000000");
  EXPECT_TRUE(reader.read(100, 1 << 20).records.empty());
  std::vector<std::string> all;
  size_t seen = 0;
  for (int round = 0; round < 20; ++round) {
    auto data = testing::numbered("round" + std::to_string(round) + "-", 7, 60);
    testing::append_all(writer, "key", data);
    all.insert(all.end(), data.begin(), data.end());
    auto read = testing::read_until_empty(reader, nullptr, 5);
    for (const auto& record : read) {
      EXPECT_EQ(record.data, all[seen++]);
    }
    EXPECT_EQ(seen, all.size());
  }
}

TEST_F(RoundTrip, WritersTakeTurnsWithOneCounter) {
  create_log(dir, 2);
  LogWriter first(dir);
  LogWriter second(dir, {.segment_bytes = 2048});
  std::set<uint64_t> sequences;
  uint64_t previous = 0;
  for (int round = 0; round < 30; ++round) {
    LogWriter& writer = round % 2 == 0 ? first : second;
    for (const auto& appended : testing::append_all(writer, "k" + std::to_string(round % 5),
                                                    testing::numbered("x", 10, 50))) {
      EXPECT_GT(appended.sequence, previous);
      previous = appended.sequence;
      sequences.insert(appended.sequence);
    }
  }
  EXPECT_EQ(sequences.size(), 300u);
  size_t stored = testing::read_shard(dir, "shardId-000000000000").size() +
                  testing::read_shard(dir, "shardId-000000000001").size();
  EXPECT_EQ(stored, 300u);
}

TEST_F(RoundTrip, MissingLogSaysHowToCreateIt) {
  std::string expected = "local log not found at " + dir.string() +
                         ": create it with 'shardpipe log create " + dir.string() + " --shards N'";
  for (auto attempt : std::vector<std::function<void()>>{
           [&] { LogLayout::load(dir); },
           [&] { LogWriter writer(dir); },
           [&] { ShardReader reader(dir, "shardId-000000000000"); },
           [&] { split_shard(dir, "shardId-000000000000"); },
       }) {
    try {
      attempt();
      ADD_FAILURE() << "no error";
    } catch (const LogError& error) {
      EXPECT_EQ(error.code(), LogErrorCode::not_found);
      EXPECT_EQ(std::string(error.what()), expected);
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST_F(RoundTrip, UnknownShardIsNotFound) {
  create_log(dir, 1);
  try {
    ShardReader reader(dir, "shardId-000000000042");
    FAIL() << "no error";
  } catch (const LogError& error) {
    EXPECT_EQ(error.code(), LogErrorCode::not_found);
    EXPECT_NE(std::string(error.what()).find("shardId-000000000042"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find(dir.string()), std::string::npos);
  }
}

TEST_F(RoundTrip, CreateRefusesAnExistingLogAndZeroShards) {
  create_log(dir, 1);
  try {
    create_log(dir, 2);
    FAIL() << "no error";
  } catch (const LogError& error) {
    EXPECT_EQ(error.code(), LogErrorCode::already_exists);
  }
  try {
    create_log(root / "other", 0);
    FAIL() << "no error";
  } catch (const LogError& error) {
    EXPECT_EQ(error.code(), LogErrorCode::invalid_argument);
  }
}

TEST_F(RoundTrip, OversizedRecordIsRejectedBeforeAnythingIsWritten) {
  create_log(dir, 1);
  LogWriter writer(dir);
  std::string huge((64u << 20) + 1, 'x');
  std::vector<PutRecord> records{{"k", "fine"}, {"k", huge}};
  try {
    writer.append(records);
    FAIL() << "no error";
  } catch (const LogError& error) {
    EXPECT_EQ(error.code(), LogErrorCode::invalid_argument);
  }
  EXPECT_TRUE(testing::read_shard(dir, "shardId-000000000000").empty());
  EXPECT_EQ(testing::append_all(writer, "k", {"next"}).front().sequence, 1u);
}

}  // namespace
}  // namespace shardpipe::local
