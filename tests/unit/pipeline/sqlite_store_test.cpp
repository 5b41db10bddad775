// What only the SQLite store does. What every store must do (leases, fencing, resets) is the
// contract suite in tests/integration/postgres/postgres_store_test.cpp, run against SQLite and
// PostgreSQL alike.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "coordination/checkpoint_store.hpp"

namespace shardpipe::coordination {
namespace {

namespace fs = std::filesystem;

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

}  // namespace
}  // namespace shardpipe::coordination
