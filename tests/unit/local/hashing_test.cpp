#include <gtest/gtest.h>

#include <set>

#include "log_test_support.hpp"

namespace shardpipe::local {
namespace {

using testing::LogTest;

constexpr uint128 max_key = ~uint128{0};

uint128 from_hex(std::string_view hex) {
  uint128 value = 0;
  for (char c : hex) {
    value = (value << 4) | static_cast<uint128>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return value;
}

TEST(Hashing, PartitionKeyHashIsMd5ReadBigEndian) {
  EXPECT_EQ(hash_key(""), from_hex("d41d8cd98f00b204e9800998ecf8427e"));
  EXPECT_EQ(hash_key("abc"), from_hex("900150983cd24fb0d6963f7d28e17f72"));
  EXPECT_EQ(hash_key("The quick brown fox jumps over the lazy dog"),
            from_hex("9e107d9d372bb6826bd81d3542a419d6"));
  // The same value in the decimal form that describe and Kinesis show.
  EXPECT_EQ(to_decimal(hash_key("abc")), "191415658344158766168031473277922803570");
}

TEST(Hashing, DecimalConversionRoundTrips) {
  EXPECT_EQ(to_decimal(0), "0");
  EXPECT_EQ(to_decimal(max_key), "340282366920938463463374607431768211455");
  EXPECT_EQ(parse_uint128("340282366920938463463374607431768211455"), max_key);
  EXPECT_EQ(parse_uint128("0"), uint128{0});
  EXPECT_EQ(parse_uint128("007"), uint128{7});
  for (uint128 value : {uint128{1}, uint128{10}, uint128{1} << 64, max_key / 3, max_key - 1}) {
    EXPECT_EQ(parse_uint128(to_decimal(value)), value);
  }
}

TEST(Hashing, DecimalParsingRejectsWhatIsNotAnUnsigned128BitNumber) {
  EXPECT_FALSE(parse_uint128("340282366920938463463374607431768211456"));  // 2^128
  EXPECT_FALSE(parse_uint128("999999999999999999999999999999999999999999"));
  EXPECT_FALSE(parse_uint128(""));
  EXPECT_FALSE(parse_uint128("-1"));
  EXPECT_FALSE(parse_uint128("+1"));
  EXPECT_FALSE(parse_uint128("12a"));
  EXPECT_FALSE(parse_uint128(" 1"));
}

class HashRanges : public LogTest {};

TEST_F(HashRanges, CreateDividesTheSpaceEvenlyWithoutGaps) {
  for (int count : {1, 2, 3, 4, 5, 7, 16, 100}) {
    auto log = root / ("log-" + std::to_string(count));
    create_log(log, count);
    auto layout = LogLayout::load(log);
    const auto& shards = layout.shards();
    ASSERT_EQ(shards.size(), static_cast<size_t>(count));
    uint128 expected_start = 0;
    uint128 smallest = max_key;
    uint128 largest = 0;
    for (size_t index = 0; index < shards.size(); ++index) {
      const auto& shard = shards[index];
      EXPECT_EQ(shard.shard_id, "shardId-" + std::string(12 - std::to_string(index).size(), '0') +
                                    std::to_string(index));
      EXPECT_EQ(shard.hash_key_range.starting_hash_key, expected_start);
      EXPECT_TRUE(shard.open());
      EXPECT_FALSE(shard.parent_shard_id);
      uint128 size_minus_one =
          shard.hash_key_range.ending_hash_key - shard.hash_key_range.starting_hash_key;
      smallest = std::min(smallest, size_minus_one);
      largest = std::max(largest, size_minus_one);
      expected_start = shard.hash_key_range.ending_hash_key + 1;
    }
    EXPECT_EQ(shards.back().hash_key_range.ending_hash_key, max_key) << count;
    EXPECT_LE(largest - smallest, uint128{1}) << count;
  }
}

TEST_F(HashRanges, TwoShardsSplitAtTheMiddleLikeKinesis) {
  create_log(dir, 2);
  auto layout = LogLayout::load(dir);
  const auto& shards = layout.shards();
  EXPECT_EQ(to_decimal(shards[0].hash_key_range.ending_hash_key),
            "170141183460469231731687303715884105727");
  EXPECT_EQ(to_decimal(shards[1].hash_key_range.starting_hash_key),
            "170141183460469231731687303715884105728");
}

TEST_F(HashRanges, RecordsGoToTheShardWhoseRangeHoldsTheKeyHash) {
  create_log(dir, 4);
  LogWriter writer(dir);
  std::vector<std::string> keys = testing::numbered("customer-", 400);
  std::vector<PutRecord> records;
  for (const auto& key : keys) {
    records.push_back({key, "payload"});
  }
  auto appended = writer.append(records);
  auto layout = LogLayout::load(dir);
  std::set<std::string> used;
  for (size_t index = 0; index < keys.size(); ++index) {
    const ShardMeta* shard = layout.find(appended[index].shard_id);
    ASSERT_NE(shard, nullptr);
    EXPECT_TRUE(shard->hash_key_range.contains(hash_key(keys[index]))) << keys[index];
    used.insert(shard->shard_id);
  }
  EXPECT_EQ(used.size(), 4u);
}

TEST_F(HashRanges, RecordsWithoutKeyAreRoutedByTheirData) {
  create_log(dir, 4);
  LogWriter writer(dir);
  std::vector<std::string> lines = testing::numbered("line ", 100);
  std::vector<PutRecord> records;
  for (const auto& line : lines) {
    records.push_back({"", line});
  }
  auto appended = writer.append(records);
  auto layout = LogLayout::load(dir);
  for (size_t index = 0; index < lines.size(); ++index) {
    EXPECT_TRUE(
        layout.find(appended[index].shard_id)->hash_key_range.contains(hash_key(lines[index])));
  }
}

}  // namespace
}  // namespace shardpipe::local
