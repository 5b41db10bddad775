// Split and merge: parents close at their last record, children inherit the hash range, and the
// shard table reads like Kinesis ListShards.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "log_test_support.hpp"

namespace shardpipe::local {
namespace {

using testing::LogTest;

constexpr uint128 max_key = ~uint128{0};
constexpr const char* shard0 = "shardId-000000000000";
constexpr const char* shard1 = "shardId-000000000001";
constexpr const char* shard2 = "shardId-000000000002";
constexpr const char* shard3 = "shardId-000000000003";

class Lineage : public LogTest {};

TEST_F(Lineage, SplitClosesTheParentAndOpensTwoHalves) {
  create_log(dir, 1);
  LogWriter writer(dir);
  auto appended = testing::append_all(writer, "key", testing::numbered("r", 30));
  auto children = split_shard(dir, shard0);
  ASSERT_EQ(children, (std::vector<std::string>{shard1, shard2}));

  auto layout = LogLayout::load(dir);
  ASSERT_EQ(layout.shards().size(), 3u);
  const ShardMeta& parent = *layout.find(shard0);
  EXPECT_FALSE(parent.open());
  EXPECT_EQ(parent.ending_sequence, appended.back().sequence);
  const ShardMeta& low = *layout.find(shard1);
  const ShardMeta& high = *layout.find(shard2);
  for (const ShardMeta* child : {&low, &high}) {
    EXPECT_TRUE(child->open());
    EXPECT_EQ(child->parent_shard_id, shard0);
    EXPECT_FALSE(child->adjacent_parent_shard_id);
    EXPECT_EQ(child->starting_sequence, appended.back().sequence + 1);
  }
  EXPECT_EQ(low.hash_key_range.starting_hash_key, uint128{0});
  EXPECT_EQ(low.hash_key_range.ending_hash_key, max_key / 2);
  EXPECT_EQ(high.hash_key_range.starting_hash_key, max_key / 2 + 1);
  EXPECT_EQ(high.hash_key_range.ending_hash_key, max_key);

  // The writer that existed before the split now routes to the children.
  auto after = testing::append_all(writer, "key", {"after-split"});
  EXPECT_EQ(after.front().shard_id, hash_key("key") <= max_key / 2 ? shard1 : shard2);
  EXPECT_GT(after.front().sequence, appended.back().sequence);
  EXPECT_EQ(testing::read_shard(dir, shard0).size(), 30u);
}

TEST_F(Lineage, SplitAtAChosenHashKey) {
  create_log(dir, 1);
  split_shard(dir, shard0, uint128{1000});
  auto layout = LogLayout::load(dir);
  EXPECT_EQ(layout.find(shard1)->hash_key_range.ending_hash_key, uint128{999});
  EXPECT_EQ(layout.find(shard2)->hash_key_range.starting_hash_key, uint128{1000});
}

TEST_F(Lineage, EmptyParentClosesJustBeforeItsStart) {
  create_log(dir, 1);
  split_shard(dir, shard0);
  const ShardMeta parent = *LogLayout::load(dir).find(shard0);
  EXPECT_EQ(parent.starting_sequence, 1u);
  EXPECT_EQ(parent.ending_sequence, 0u);
}

TEST_F(Lineage, MergeJoinsAdjacentShards) {
  create_log(dir, 2);
  LogWriter writer(dir);
  auto on_zero = testing::append_all(writer, testing::key_for_shard(dir, shard0), {"a", "b"});
  auto on_one = testing::append_all(writer, testing::key_for_shard(dir, shard1), {"c"});
  // Either order of arguments: the lower range is the parent.
  EXPECT_EQ(merge_shards(dir, shard1, shard0), shard2);
  auto layout = LogLayout::load(dir);
  EXPECT_EQ(layout.find(shard0)->ending_sequence, on_zero.back().sequence);
  EXPECT_EQ(layout.find(shard1)->ending_sequence, on_one.back().sequence);
  const ShardMeta& child = *layout.find(shard2);
  EXPECT_EQ(child.parent_shard_id, shard0);
  EXPECT_EQ(child.adjacent_parent_shard_id, shard1);
  EXPECT_EQ(child.hash_key_range.starting_hash_key, uint128{0});
  EXPECT_EQ(child.hash_key_range.ending_hash_key, max_key);
  EXPECT_EQ(child.starting_sequence, on_one.back().sequence + 1);
  EXPECT_EQ(testing::append_all(writer, "anything", {"d"}).front().shard_id, shard2);
}

TEST_F(Lineage, DescribeHasTheListShardsShape) {
  create_log(dir, 1);
  LogWriter writer(dir);
  testing::append_all(writer, "k", {"a", "b", "c"});
  split_shard(dir, shard0);
  merge_shards(dir, shard1, shard2);
  auto described = nlohmann::json::parse(LogLayout::load(dir).describe_json());
  auto expected = nlohmann::json::parse(R"({"shards":[
    {"shardId":"shardId-000000000000","parentShardId":null,"adjacentParentShardId":null,
     "hashKeyRange":{"startingHashKey":"0","endingHashKey":"340282366920938463463374607431768211455"},
     "sequenceNumberRange":{"startingSequenceNumber":"1","endingSequenceNumber":"3"},"state":"closed"},
    {"shardId":"shardId-000000000001","parentShardId":"shardId-000000000000","adjacentParentShardId":null,
     "hashKeyRange":{"startingHashKey":"0","endingHashKey":"170141183460469231731687303715884105727"},
     "sequenceNumberRange":{"startingSequenceNumber":"4","endingSequenceNumber":"3"},"state":"closed"},
    {"shardId":"shardId-000000000002","parentShardId":"shardId-000000000000","adjacentParentShardId":null,
     "hashKeyRange":{"startingHashKey":"170141183460469231731687303715884105728",
                     "endingHashKey":"340282366920938463463374607431768211455"},
     "sequenceNumberRange":{"startingSequenceNumber":"4","endingSequenceNumber":"3"},"state":"closed"},
    {"shardId":"shardId-000000000003","parentShardId":"shardId-000000000001",
     "adjacentParentShardId":"shardId-000000000002",
     "hashKeyRange":{"startingHashKey":"0","endingHashKey":"340282366920938463463374607431768211455"},
     "sequenceNumberRange":{"startingSequenceNumber":"4","endingSequenceNumber":null},"state":"open"}]})");
  EXPECT_EQ(described, expected) << described.dump(2);
}

TEST_F(Lineage, ReaderOfAParentSeesShardEndOnlyAfterItsLastRecord) {
  create_log(dir, 1);
  LogWriter writer(dir);
  testing::append_all(writer, "key", testing::numbered("r", 25));
  ShardReader reader(dir, shard0);
  ReadResult first = reader.read(10, 1 << 20);
  EXPECT_EQ(first.records.size(), 10u);
  EXPECT_FALSE(first.shard_end);

  split_shard(dir, shard0);
  testing::append_all(writer, "key", {"to a child"});

  size_t seen = 10;
  bool shard_end = false;
  while (!shard_end) {
    ReadResult result = reader.read(10, 1 << 20);
    seen += result.records.size();
    shard_end = result.shard_end;
    if (shard_end) {
      EXPECT_EQ(seen, 25u);
    }
    ASSERT_LE(seen, 25u);
  }
  ReadResult again = reader.read(10, 1 << 20);  // stays at the end
  EXPECT_TRUE(again.records.empty());
  EXPECT_TRUE(again.shard_end);

  ShardReader open_child(dir, shard1);
  EXPECT_FALSE(open_child.read(10, 1 << 20).shard_end);
}

TEST_F(Lineage, ReaderOpenedOnAClosedShardEndsRightAfterItsRecords) {
  create_log(dir, 1);
  LogWriter writer(dir);
  testing::append_all(writer, "key", testing::numbered("r", 5));
  split_shard(dir, shard0);
  ShardReader reader(dir, shard0);
  bool shard_end = false;
  EXPECT_EQ(testing::read_until_empty(reader, &shard_end).size(), 5u);
  EXPECT_TRUE(shard_end);
  reader.seek_latest();
  EXPECT_TRUE(reader.read(10, 1 << 20).shard_end);
}

TEST_F(Lineage, InvalidReshardsAreRefusedWithAReason) {
  create_log(dir, 4);
  split_shard(dir, shard0);  // shard 0 closed; children 4 and 5
  auto expect_invalid = [&](auto action, const std::string& words) {
    try {
      action();
      ADD_FAILURE() << "no error for " << words;
    } catch (const LogError& error) {
      EXPECT_EQ(error.code(), LogErrorCode::invalid_argument) << error.what();
      EXPECT_NE(std::string(error.what()).find(words), std::string::npos) << error.what();
    }
  };
  const ShardMeta first_meta = *LogLayout::load(dir).find(shard1);
  expect_invalid([&] { split_shard(dir, "shardId-000000000099"); },
                 "no shard shardId-000000000099");
  expect_invalid([&] { split_shard(dir, shard0); }, "closed");
  expect_invalid([&] { split_shard(dir, shard1, first_meta.hash_key_range.starting_hash_key); },
                 "must lie in");
  expect_invalid([&] { split_shard(dir, shard1, first_meta.hash_key_range.ending_hash_key + 1); },
                 "must lie in");
  expect_invalid([&] { merge_shards(dir, shard1, shard3); }, "not adjacent");
  expect_invalid([&] { merge_shards(dir, shard0, shard1); }, "closed");
  expect_invalid([&] { merge_shards(dir, shard1, shard1); }, "itself");
  expect_invalid([&] { merge_shards(dir, shard1, "shardId-000000000099"); }, "no shard");

  // A one-key shard cannot be split again.
  auto children = split_shard(dir, shard1, first_meta.hash_key_range.starting_hash_key + 1);
  expect_invalid([&] { split_shard(dir, children[0]); }, "single hash key");
  EXPECT_EQ(LogLayout::load(dir).shards().size(), 8u);  // refused reshards changed nothing
}

}  // namespace
}  // namespace shardpipe::local
