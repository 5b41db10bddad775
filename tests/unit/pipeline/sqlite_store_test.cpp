#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "coordination/checkpoint_store.hpp"

namespace shardpipe::coordination {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("shardpipe-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<CheckpointStore> open(const std::string& pipe = "orders") {
    auto store = open_checkpoint_store("sqlite:" + (dir_ / "state" / "orders.db").string(), pipe);
    EXPECT_TRUE(store) << (store ? "" : store.error().message);
    return std::move(*store);
  }

  fs::path dir_;
};

TEST_F(SqliteStoreTest, CreatesMissingFoldersAndKeepsLineage) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("shardId-000000000002",
                                  {"shardId-000000000000", "shardId-000000000001"}));
  ASSERT_TRUE(store->ensure_shard("shardId-000000000002", {}));  // a second insert changes nothing
  auto row = store->get("shardId-000000000002");
  ASSERT_TRUE(row && row->has_value());
  EXPECT_EQ((*row)->parent_shard_ids,
            (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001"}));
  EXPECT_TRUE((*row)->checkpoint.empty());
}

TEST_F(SqliteStoreTest, PipesAreKeptApart) {
  auto a = open("a");
  auto b = open("b");
  ASSERT_TRUE(a->ensure_shard("s", {}));
  EXPECT_TRUE(b->list()->empty());
}

TEST_F(SqliteStoreTest, ALeaseHeldByALiveWorkerCannotBeTaken) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto mine = *store->try_take("s", "w1", 10s);
  ASSERT_TRUE(mine);
  EXPECT_FALSE(*store->try_take("s", "w2", 10s));
  auto again = *store->try_take("s", "w1", 10s);
  ASSERT_TRUE(again) << "a restarted worker with the same id takes its own lease back";
  EXPECT_EQ(again->counter, mine->counter);
}

TEST_F(SqliteStoreTest, AWorkerThatLostItsLeaseCannotCheckpoint) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto old_owner = **store->try_take("s", "w1", 1ms);
  std::this_thread::sleep_for(5ms);
  auto new_owner = **store->try_take("s", "w2", 10s);
  EXPECT_NE(new_owner.counter, old_owner.counter);
  EXPECT_FALSE(*store->checkpoint(old_owner, "100")) << "fenced: the counter moved on";
  EXPECT_FALSE(*store->renew(old_owner, 10s));
  EXPECT_TRUE(*store->checkpoint(new_owner, "200"));
  EXPECT_EQ((*store->get("s"))->checkpoint, "200");
}

TEST_F(SqliteStoreTest, ReleaseLetsAnotherWorkerTakeAtOnce) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto lease = **store->try_take("s", "w1", 10s);
  ASSERT_TRUE(store->release(lease));
  EXPECT_TRUE(*store->try_take("s", "w2", 10s));
  EXPECT_FALSE(*store->checkpoint(lease, "1"));
}

TEST_F(SqliteStoreTest, AResetOfAnUnownedShardIsAppliedAtOnce) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  EXPECT_EQ(*store->set_checkpoint("s", "TRIM_HORIZON"), SetOutcome::applied);
  EXPECT_EQ((*store->get("s"))->checkpoint, "TRIM_HORIZON");
}

TEST_F(SqliteStoreTest, AResetOfAnOwnedShardWaitsForTheOwnerAndBlocksStaleCheckpoints) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto lease = **store->try_take("s", "w1", 10s);
  ASSERT_TRUE(*store->checkpoint(lease, "50"));
  EXPECT_EQ(*store->set_checkpoint("s", "LATEST"), SetOutcome::pending_owner);
  EXPECT_FALSE(*store->checkpoint(lease, "60")) << "in-flight progress must not overwrite a reset";
  auto adopted = *store->adopt_reset(lease);
  ASSERT_TRUE(adopted);
  EXPECT_EQ(*adopted, "LATEST");
  auto row = **store->get("s");
  EXPECT_EQ(row.checkpoint, "LATEST");
  EXPECT_FALSE(row.pending_reset);
  EXPECT_TRUE(*store->checkpoint(lease, "70"));
}

TEST_F(SqliteStoreTest, SettingAnUnknownShardFails) {
  auto store = open();
  EXPECT_FALSE(store->set_checkpoint("nope", "1"));
}

}  // namespace
}  // namespace shardpipe::coordination
