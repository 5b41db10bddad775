// Reading the occurrences of sequence numbers back from a file target and file dead letters.
#include "verify/output_scan.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace shardpipe::verify {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  auto dir =
      fs::temp_directory_path() / ("shardpipe-verify-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

std::string envelope(const std::string& shard, int sequence) {
  return R"({"eventSource":"shardpipe:local","eventID":")" + shard + ":" +
         std::to_string(sequence) + R"(","sequenceNumber":")" + std::to_string(sequence) +
         R"(","data":{"n":1}})";
}

TEST(OutputScan, ReadsEveryLineOfEveryFileOfAShard) {
  auto dir = fresh_dir("target");
  auto shard = dir / "shardId-000000000000";
  write(shard / "00000000000000000001.jsonl", envelope("s", 1) + "\n" + envelope("s", 2) + "\n");
  write(shard / "00000000000000000003.jsonl", envelope("s", 3) + "\nnot json\n{\"a\":1}\n");
  write(shard / "00000000000000000009.jsonl.tmp", envelope("s", 9) + "\n");
  write(dir / "shardId-000000000001" / "00000000000000000004.jsonl", envelope("t", 4) + "\n");

  auto shards = target_shards(dir);
  ASSERT_TRUE(shards);
  EXPECT_EQ(*shards, (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001"}));

  std::vector<Occurrence> found;
  ScanProblems problems;
  ASSERT_TRUE(scan_target_shard(shard, found, problems));
  ASSERT_EQ(found.size(), 3u) << "the temporary file is not output";
  EXPECT_EQ(found[0].sequence_number, "1");
  EXPECT_EQ(found[2].sequence_number, "3");
  EXPECT_EQ(found[0].where, FoundIn::target);
  EXPECT_EQ(problems.count, 2u);
  ASSERT_FALSE(problems.first.empty());
  EXPECT_NE(problems.first[0].find("00000000000000000003.jsonl:2"), std::string::npos)
      << problems.first[0];
  fs::remove_all(dir);
}

TEST(OutputScan, AUserRecordOfAnAggregateIsNamedBySequenceAndSubSequence) {
  auto dir = fresh_dir("aggregate");
  auto shard = dir / "shardId-000000000000";
  write(shard / "00000000000000000007-0000000001.jsonl",
        R"({"eventID":"shardId-000000000000:7:1","sequenceNumber":"7","subSequenceNumber":1})"
        "\n"
        R"({"eventID":"shardId-000000000000:7:2","sequenceNumber":"7","subSequenceNumber":2})"
        "\n" +
            envelope("s", 8) + "\n");
  std::vector<Occurrence> found;
  ScanProblems problems;
  ASSERT_TRUE(scan_target_shard(shard, found, problems));
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].sequence_number, "7:1");
  EXPECT_EQ(found[1].sequence_number, "7:2");
  EXPECT_EQ(found[2].sequence_number, "8");
  EXPECT_EQ(problems.count, 0u);
  fs::remove_all(dir);
}

TEST(OutputScan, AMissingTargetFolderHoldsNothing) {
  auto shards = target_shards(fresh_dir("none") / "out");
  ASSERT_TRUE(shards);
  EXPECT_TRUE(shards->empty());
}

TEST(OutputScan, DeadLettersAreGroupedByTheirSourceShard) {
  auto dir = fresh_dir("dlq");
  auto entry = [](const std::string& shard, int sequence) {
    return R"({"version":"1","timestamp":"2026-01-01T00:00:00Z","pipe":"p","condition":"DecodeError",)"
           R"("error":{"message":"bad","statusCode":null},"attempts":0,"eventID":")" +
           shard + ":" + std::to_string(sequence) + R"(","source":{"type":"local","shardId":")" +
           shard + R"(","sequenceNumber":")" + std::to_string(sequence) +
           R"("},"record":{"rawData":"eA=="}})";
  };
  // A user record of a KPL aggregate: named by its eventID, whatever its checkpoint value.
  auto user_record = [](const std::string& shard, const std::string& checkpoint, int sub) {
    return R"({"version":"1","timestamp":"2026-01-01T00:00:00Z","pipe":"p","condition":"DecodeError",)"
           R"("error":{"message":"bad","statusCode":null},"attempts":0,"eventID":")" +
           shard + ":9:" + std::to_string(sub) + R"(","source":{"type":"kinesis","shardId":")" +
           shard + R"(","sequenceNumber":")" + checkpoint + R"("},"record":{"rawData":"eA=="}})";
  };
  write(dir / "a.jsonl", entry("shardId-000000000000", 5) + "\n" +
                             entry("shardId-000000000001", 6) + "\n" +
                             entry("shardId-000000000000", 8) + "\n" +
                             user_record("shardId-000000000001", "9:0", 0) + "\n" +
                             user_record("shardId-000000000001", "9", 1) + "\n");
  ScanProblems problems;
  auto found = scan_dead_letters(dir, problems);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 2u);
  const auto& first = found->at("shardId-000000000000");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].sequence_number, "5");
  EXPECT_EQ(first[0].where, FoundIn::dead_letter);
  const auto& second = found->at("shardId-000000000001");
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[0].sequence_number, "6");
  EXPECT_EQ(second[1].sequence_number, "9:0");
  EXPECT_EQ(second[2].sequence_number, "9:1");
  EXPECT_EQ(problems.count, 0u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe::verify
