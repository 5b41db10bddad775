// The file dead letters as a running pipe and `dlq replay` share them: entries appended while a
// replay rewrites the file are never lost, and stored entries read back as written.
#include "targets/dead_letter/dead_letter_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "targets/dead_letter/file_dead_letters.hpp"
#include "targets/dead_letter/stored_dead_letters.hpp"
#include "temp_files.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

fs::path temp_dir(const std::string& name) {
  return test_files::temp_dir("dlq-file", name);
}
using test_files::slurp;

Record record(const std::string& sequence) {
  Record r;
  r.sequence_number = sequence;
  r.partition_key = "k";
  r.event_id = "shardId-000000000000:" + sequence;
  r.envelope = R"({"eventID":"shardId-000000000000:)" + sequence + R"(","data":{"n":1}})";
  return r;
}

Status write_letter(DeadLetterDestination& destination, const Record& r) {
  DeadLetter letter{"RetryAttemptsExhausted", "HTTP 500", 500, 3, "local",
                    "shardId-000000000000",   &r};
  return destination.write(std::span(&letter, 1));
}

TEST(DeadLetterFile, RemovingLinesKeepsTheOthers) {
  auto dir = temp_dir("remove");
  auto file = dir / "shardId-000000000000.jsonl";
  {
    auto locked = LockedDeadLetterFile::open(file);
    ASSERT_TRUE(locked);
    ASSERT_TRUE(locked->append("a\nb\nc\n"));
  }
  ASSERT_TRUE(remove_dead_letter_lines(file, {"b"}));
  EXPECT_EQ(slurp(file), "a\nc\n");
  EXPECT_FALSE(fs::exists(fs::path(file.string() + ".replacing")));
}

TEST(DeadLetterFile, APartialLastLineIsCutWhenTheFileIsOpened) {
  auto dir = temp_dir("partial");
  auto file = dir / "shardId-000000000000.jsonl";
  std::ofstream(file) << "complete\n{\"torn";
  auto locked = LockedDeadLetterFile::open(file);
  ASSERT_TRUE(locked);
  auto lines = locked->lines();
  ASSERT_TRUE(lines);
  EXPECT_THAT(*lines, ElementsAre("complete"));
}

TEST(DeadLetterFile, AnEntryWrittenWhileAReplayRewritesTheFileIsKept) {
  auto dir = temp_dir("concurrent");
  auto destination = make_file_dead_letters(dir, "orders");
  auto first = record("1");
  ASSERT_TRUE(write_letter(*destination, first));
  auto file = dir / "shardId-000000000000.jsonl";

  // Replay holds the lock and is about to replace the file; a pipe writes meanwhile.
  auto locked = LockedDeadLetterFile::open(file);
  ASSERT_TRUE(locked);
  auto lines = locked->lines();
  ASSERT_TRUE(lines);
  ASSERT_EQ(lines->size(), 1u);
  auto second = record("2");
  std::atomic<bool> written = false;
  std::thread writer([&] {
    EXPECT_TRUE(write_letter(*destination, second));
    written = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(written) << "the writer must wait for the lock";
  ASSERT_TRUE(locked->replace({}));  // replay removes the first entry
  { auto release = std::move(*locked); }
  writer.join();

  auto stored = read_stored_dead_letters(dir);
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->entries.size(), 1u) << slurp(file);
  EXPECT_EQ(stored->entries[0].event_id, "shardId-000000000000:2");
}

TEST(StoredDeadLetters, ReadBackWhatWasWritten) {
  auto dir = temp_dir("stored");
  auto destination = make_file_dead_letters(dir, "orders");
  auto r = record("42");
  ASSERT_TRUE(write_letter(*destination, r));
  Record poison;
  poison.sequence_number = "43";
  poison.event_id = "shardId-000000000000:43";
  poison.partition_key = "p";
  poison.decode_failed = true;
  poison.raw_data = "\xff";
  DeadLetter undecodable{"DecodeError",          "not JSON", std::nullopt, 0, "local",
                         "shardId-000000000000", &poison};
  ASSERT_TRUE(destination->write(std::span(&undecodable, 1)));
  std::ofstream(dir / "shardId-000000000000.jsonl", std::ios::app) << "not an entry\n";

  auto stored = read_stored_dead_letters(dir);
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->entries.size(), 2u);
  const auto& entry = stored->entries[0];
  EXPECT_EQ(entry.event_id, "shardId-000000000000:42");
  EXPECT_EQ(entry.condition, "RetryAttemptsExhausted");
  EXPECT_EQ(entry.attempts, 3);
  EXPECT_EQ(entry.status_code, 500);
  EXPECT_EQ(entry.shard_id, "shardId-000000000000");
  EXPECT_EQ(entry.sequence_number, "42");
  ASSERT_TRUE(entry.envelope.has_value());
  EXPECT_EQ(*entry.envelope, r.envelope);
  EXPECT_FALSE(stored->entries[1].envelope.has_value()) << "an undecodable record has no envelope";
  EXPECT_EQ(stored->entries[1].partition_key, "p");
  ASSERT_EQ(stored->problems.size(), 1u);
  EXPECT_THAT(stored->problems[0], ::testing::HasSubstr(":3: not a dead-letter entry"));
}

TEST(StoredDeadLetters, AMissingFolderHoldsNone) {
  auto stored = read_stored_dead_letters(temp_dir("missing") / "nothing-here");
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->entries.empty());
}

}  // namespace
}  // namespace shardpipe
