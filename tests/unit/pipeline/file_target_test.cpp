#include "targets/file/file_target.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace shardpipe {
namespace {

namespace fs = std::filesystem;

class FileTargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("shardpipe-file-target-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::permissions(dir_ / "s", fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(dir_, ignored);
  }

  static std::vector<Record> records(uint64_t first_sequence, size_t count,
                                     uint64_t first_ordinal = 0) {
    std::vector<Record> out;
    for (size_t i = 0; i < count; ++i) {
      Record record;
      record.ordinal = first_ordinal + i;
      record.sequence_number = std::to_string(first_sequence + i);
      record.envelope = R"({"n":)" + record.sequence_number + "}";
      out.push_back(record);
    }
    return out;
  }

  static std::string read(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

TEST_F(FileTargetTest, NamesFilesByTheirFirstSequenceZeroPadded) {
  EXPECT_EQ(file_target_name("42"), "00000000000000000042.jsonl");
  EXPECT_EQ(file_target_name("123456789012345678901234"), "123456789012345678901234.jsonl");
  // Inside a KPL aggregate: no colon in the name, and name order is record order.
  EXPECT_EQ(file_target_name("123456789012345678901234:12"),
            "123456789012345678901234-0000000012.jsonl");
  EXPECT_LT(file_target_name("123456789012345678901234:9"),
            file_target_name("123456789012345678901234:12"));
  EXPECT_LT(file_target_name("123456789012345678901234:12"),
            file_target_name("123456789012345678901234"));
  EXPECT_LT(file_target_name("123456789012345678901234"),
            file_target_name("123456789012345678901235:0"));
}

TEST_F(FileTargetTest, ReportsRecordsDeliveredOnlyWhenTheirFileIsComplete) {
  auto target = make_file_target(dir_, 3);
  auto sink = std::move(*target->open_shard("shardId-000000000001"));
  auto batch = records(100, 5);
  auto outcome = sink->deliver(std::span(batch).first(2));
  EXPECT_EQ(outcome.accepted, 2u);
  EXPECT_TRUE(outcome.delivered.empty()) << "a partial file is not delivered";
  outcome = sink->deliver(std::span(batch).subspan(2));
  EXPECT_EQ(outcome.accepted, 3u);
  EXPECT_EQ(outcome.delivered, (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(sink->pending(), 2u);
  auto file = dir_ / "shardId-000000000001" / "00000000000000000100.jsonl";
  EXPECT_EQ(read(file), "{\"n\":100}\n{\"n\":101}\n{\"n\":102}\n");

  outcome = sink->flush();
  EXPECT_EQ(outcome.delivered, (std::vector<uint64_t>{3, 4}));
  EXPECT_TRUE(outcome.checkpoint_now) << "a partial file is a boundary a replay would not choose";
  EXPECT_EQ(read(dir_ / "shardId-000000000001" / "00000000000000000103.jsonl"),
            "{\"n\":103}\n{\"n\":104}\n");
}

TEST_F(FileTargetTest, AReplayRewritesTheSameFileWithTheSameContent) {
  auto batch = records(7, 4);
  for (int run = 0; run < 2; ++run) {
    auto sink = std::move(*make_file_target(dir_, 4)->open_shard("s"));
    sink->deliver(batch);
  }
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir_ / "s")) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "00000000000000000007.jsonl");
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(FileTargetTest, RemovesTemporaryFilesLeftByACrash) {
  fs::create_directories(dir_ / "s");
  std::ofstream(dir_ / "s" / "00000000000000000001.jsonl.tmp") << "half a file";
  auto sink = make_file_target(dir_, 10)->open_shard("s");
  ASSERT_TRUE(sink);
  EXPECT_FALSE(fs::exists(dir_ / "s" / "00000000000000000001.jsonl.tmp"));
}

TEST_F(FileTargetTest, AFailedWriteKeepsTheRecordsAndSucceedsLater) {
  if (::geteuid() == 0) {
    // Root ignores directory permissions; use a path whose parent is a file instead.
    auto sink = std::move(*make_file_target(dir_, 2)->open_shard("s"));
    fs::remove_all(dir_ / "s");
    std::ofstream(dir_ / "s") << "not a folder";
    auto batch = records(1, 3);
    auto outcome = sink->deliver(batch);
    EXPECT_TRUE(outcome.error);
    EXPECT_EQ(outcome.accepted, 2u) << "the full file is kept buffered, nothing after it is taken";
    EXPECT_TRUE(outcome.delivered.empty());
    fs::remove(dir_ / "s");
    fs::create_directories(dir_ / "s");
    outcome = sink->deliver(std::span(batch).subspan(2));
    EXPECT_FALSE(outcome.error);
    EXPECT_EQ(outcome.delivered, (std::vector<uint64_t>{0, 1}));
    EXPECT_EQ(outcome.accepted, 1u);
    return;
  }
  auto sink = std::move(*make_file_target(dir_, 2)->open_shard("s"));
  fs::permissions(dir_ / "s", fs::perms::owner_write, fs::perm_options::remove);
  auto batch = records(1, 3);
  auto outcome = sink->deliver(batch);
  EXPECT_TRUE(outcome.error);
  EXPECT_EQ(outcome.accepted, 2u);
  fs::permissions(dir_ / "s", fs::perms::owner_write, fs::perm_options::add);
  outcome = sink->deliver(std::span(batch).subspan(2));
  EXPECT_FALSE(outcome.error);
  EXPECT_EQ(outcome.delivered, (std::vector<uint64_t>{0, 1}));
}

}  // namespace
}  // namespace shardpipe
