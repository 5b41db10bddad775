// What only the SQLite store does. What every store must do (leases, fencing, resets) is the
// contract suite in tests/integration/postgres/postgres_store_test.cpp, run against SQLite and
// PostgreSQL alike.
#include <gtest/gtest.h>
#include <sqlite3.h>
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

// A store made before balancing existed gains the hand-over columns, and keeps its rows.
TEST_F(SqliteStoreTest, AnOlderStoreGainsTheHandOverColumns) {
  auto file = dir_ / "state" / "orders.db";
  {
    auto store = open();
    ASSERT_TRUE(store->ensure_shard("s", {}));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db,
                         "ALTER TABLE leases DROP COLUMN handover_to; "
                         "ALTER TABLE leases DROP COLUMN handover_asked_ms;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  auto store = open();
  auto lease = **store->try_take("s", "w1", std::chrono::seconds(10));
  EXPECT_TRUE(*store->request_handover("s", "w2"));
  ASSERT_TRUE(store->announce_worker("w2", std::chrono::seconds(10)));
  EXPECT_TRUE(*store->hand_over(lease, "w2", std::chrono::seconds(10)));
  EXPECT_EQ((**store->get("s")).owner, "w2");
}

}  // namespace
}  // namespace shardpipe::coordination
