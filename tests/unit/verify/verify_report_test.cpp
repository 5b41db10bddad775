// The verdict (the exit status) and the two presentations of a verify report.
#include "verify/verify_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace shardpipe::verify {
namespace {

VerifyReport report_with(ShardReport shard, int parallelization_factor = 1) {
  VerifyReport report;
  report.pipe = "orders";
  report.target_path = "out";
  report.dead_letter_path = "dlq";
  report.parallelization_factor = parallelization_factor;
  report.shards.push_back({std::move(shard), "SHARD_END"});
  return report;
}

ShardReport clean_shard() {
  ShardReport shard;
  shard.shard_id = "shardId-000000000000";
  shard.expected = 10;
  shard.in_target = 7;
  shard.dead_lettered = 1;
  shard.filtered = 2;
  shard.first_expected = "1";
  return shard;
}

TEST(VerifyReport, ACleanReportIsClean) {
  auto report = report_with(clean_shard());
  EXPECT_EQ(verdict_of(report), Verdict::clean);
  auto text = report_text(report);
  EXPECT_NE(text.find("result: clean"), std::string::npos) << text;
  EXPECT_NE(text.find("shardId-000000000000"), std::string::npos) << text;
}

TEST(VerifyReport, GapsFailAndAreShownAsExactRanges) {
  auto shard = clean_shard();
  shard.in_target = 4;
  shard.missing = 3;
  shard.gap_count = 1;
  shard.gaps.push_back({"4", "6", 3});
  auto report = report_with(shard);
  EXPECT_EQ(verdict_of(report), Verdict::failed);
  auto text = report_text(report);
  EXPECT_NE(text.find("shardId-000000000000: missing 3 records: 4..6"), std::string::npos) << text;
  EXPECT_NE(text.find("result: FAILED: 3 records missing in 1 gap"), std::string::npos) << text;
}

TEST(VerifyReport, DuplicatesFailWithFactorOneAndWarnAbove) {
  auto shard = clean_shard();
  shard.duplicates = {2, {"3", "5"}};
  EXPECT_EQ(verdict_of(report_with(shard, 1)), Verdict::failed);
  auto relaxed = report_with(shard, 2);
  EXPECT_EQ(verdict_of(relaxed), Verdict::warnings);
  auto text = report_text(relaxed);
  EXPECT_NE(text.find("2 records found more than once: 3, 5"), std::string::npos) << text;
  EXPECT_NE(text.find("result: warnings"), std::string::npos) << text;
}

TEST(VerifyReport, UnexpectedRecordsAndUnreadableLinesFail) {
  auto shard = clean_shard();
  shard.unexpected = {1, {"99"}};
  EXPECT_EQ(verdict_of(report_with(shard)), Verdict::failed);
  auto report = report_with(clean_shard());
  report.problems.add("out/x/1.jsonl:3: not an envelope with a sequence number");
  EXPECT_EQ(verdict_of(report), Verdict::failed);
  EXPECT_NE(report_text(report).find("out/x/1.jsonl:3"), std::string::npos);
}

TEST(VerifyReport, JsonHasTheDocumentedShape) {
  auto shard = clean_shard();
  shard.missing = 1;
  shard.in_target = 6;
  shard.gap_count = 1;
  shard.gaps.push_back({"9", "9", 1});
  shard.duplicates = {25, {"1", "2"}};
  auto json = nlohmann::json::parse(report_json(report_with(shard)));
  EXPECT_EQ(json["pipe"], "orders");
  EXPECT_EQ(json["target"], "out");
  EXPECT_EQ(json["deadLetters"], "dlq");
  EXPECT_EQ(json["parallelizationFactor"], 1);
  EXPECT_EQ(json["result"], "failed");
  EXPECT_EQ(json["totals"]["expected"], 10);
  EXPECT_EQ(json["totals"]["missing"], 1);
  EXPECT_EQ(json["totals"]["gaps"], 1);
  EXPECT_EQ(json["totals"]["duplicates"], 25);
  ASSERT_EQ(json["shards"].size(), 1u);
  const auto& s = json["shards"][0];
  EXPECT_EQ(s["shardId"], "shardId-000000000000");
  EXPECT_EQ(s["checkpoint"], "SHARD_END");
  EXPECT_EQ(s["firstExpected"], "1");
  EXPECT_EQ(s["inTarget"], 6);
  EXPECT_EQ(s["deadLettered"], 1);
  EXPECT_EQ(s["filtered"], 2);
  EXPECT_EQ(s["gaps"]["count"], 1);
  EXPECT_EQ(s["gaps"]["ranges"][0],
            nlohmann::json({{"first", "9"}, {"last", "9"}, {"records", 1}}));
  EXPECT_EQ(s["duplicates"]["count"], 25);
  EXPECT_EQ(s["duplicates"]["sequenceNumbers"], nlohmann::json({"1", "2"}));
  EXPECT_EQ(s["unexpected"]["count"], 0);
  EXPECT_TRUE(s["notes"].is_array());
  EXPECT_EQ(json["problems"]["count"], 0);
}

}  // namespace
}  // namespace shardpipe::verify
