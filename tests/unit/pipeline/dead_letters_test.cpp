#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "targets/dead_letter/file_dead_letters.hpp"
#include "temp_files.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  return test_files::temp_dir("dlq", name);
}
using test_files::slurp;

Record poison() {
  Record record;
  record.sequence_number = "42";
  record.partition_key = "key-1";
  record.event_id = "shardId-000000000001:42";
  record.decode_failed = true;
  record.raw_data = std::string("\xff{not json", 10);
  return record;
}

TEST(DeadLetters, AnEntryCarriesConditionProvenanceAndTheRawBytes) {
  Record record = poison();
  DeadLetter letter{"DecodeError", "data is not valid JSON", std::nullopt, 0,
                    "local",       "shardId-000000000001",   &record};
  auto entry = nlohmann::json::parse(render_dead_letter(letter, "orders", 1795311860250));
  EXPECT_EQ(entry["version"], "1");
  EXPECT_EQ(entry["timestamp"], "2026-11-22T01:44:20.250Z");
  EXPECT_EQ(entry["pipe"], "orders");
  EXPECT_EQ(entry["condition"], "DecodeError");
  EXPECT_EQ(entry["error"]["message"], "data is not valid JSON");
  EXPECT_TRUE(entry["error"]["statusCode"].is_null());
  EXPECT_EQ(entry["attempts"], 0);
  EXPECT_EQ(entry["eventID"], "shardId-000000000001:42");
  EXPECT_EQ(entry["source"], nlohmann::json({{"type", "local"},
                                             {"shardId", "shardId-000000000001"},
                                             {"sequenceNumber", "42"}}));
  EXPECT_EQ(entry["record"]["rawData"], "/3tub3QganNvbg==");
  EXPECT_EQ(entry["record"]["partitionKey"], "key-1");
}

TEST(DeadLetters, AnEntryOfADecodedRecordHoldsItsEnvelope) {
  Record record;
  record.event_id = "s:1";
  record.sequence_number = "1";
  record.envelope = R"({"eventID":"s:1","data":{"a":1}})";
  DeadLetter letter{"RetryAttemptsExhausted", "HTTP 400", 400, 3, "local", "s", &record};
  auto entry = nlohmann::json::parse(render_dead_letter(letter, "p", 0));
  EXPECT_EQ(entry["record"]["data"]["a"], 1);
  EXPECT_EQ(entry["error"]["statusCode"], 400);
  EXPECT_EQ(entry["attempts"], 3);
}

TEST(DeadLetters, FileDestinationWritesOneLinePerRecordPerShard) {
  auto dir = temp_dir("write");
  auto destination = make_file_dead_letters(dir / "dlq", "orders");
  Record a = poison();
  Record b = poison();
  b.sequence_number = "43";
  std::vector<DeadLetter> letters = {{"DecodeError", "x", std::nullopt, 0, "local", "shard-a", &a},
                                     {"DecodeError", "y", std::nullopt, 0, "local", "shard-b", &b}};
  ASSERT_TRUE(destination->write(letters));
  ASSERT_TRUE(destination->write(std::span(letters).first(1)));
  auto text = slurp(dir / "dlq" / "shard-a.jsonl");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  auto other = slurp(dir / "dlq" / "shard-b.jsonl");
  EXPECT_EQ(std::count(other.begin(), other.end(), '\n'), 1);
  fs::remove_all(dir);
}

TEST(DeadLetters, APartialLastLineLeftByACrashIsCutOnOpen) {
  auto dir = temp_dir("repair");
  fs::create_directories(dir / "dlq");
  std::ofstream(dir / "dlq" / "shard-a.jsonl") << "{\"complete\":1}\n{\"torn";
  auto destination = make_file_dead_letters(dir / "dlq", "orders");
  Record a = poison();
  std::vector<DeadLetter> letters = {{"DecodeError", "x", std::nullopt, 0, "local", "shard-a", &a}};
  ASSERT_TRUE(destination->write(letters));
  std::istringstream lines(slurp(dir / "dlq" / "shard-a.jsonl"));
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_TRUE(nlohmann::json::accept(line)) << line;
  }
  EXPECT_EQ(count, 2);
  fs::remove_all(dir);
}

TEST(DeadLetters, CuttingAFileWithNoNewlineEmptiesIt) {
  auto dir = temp_dir("empty");
  std::ofstream(dir / "f.jsonl") << "no newline at all";
  ASSERT_TRUE(cut_partial_last_line(dir / "f.jsonl"));
  EXPECT_EQ(fs::file_size(dir / "f.jsonl"), 0u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe
