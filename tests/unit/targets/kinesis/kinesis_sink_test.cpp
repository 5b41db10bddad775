// The kinesis target's sink against a loopback server answering PutRecords from a list: what it
// sends, and the outcome it reports when a request of a batch fails as a whole, when Kinesis
// refuses some records, and for records refused before sending.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "aws_answer_server.hpp"
#include "core/json_text.hpp"
#include "process.hpp"
#include "targets/target.hpp"
#include "test_records.hpp"

namespace shardpipe {
namespace {

using aws::testing::AnswerServer;
using nlohmann::json;
using shardpipe::testing::keyed_batch;
using shardpipe::testing::keyed_record;

const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::filesystem::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return shardpipe::testing::fresh_test_dir(std::string("kinesis-sink-") + info->name());
}

json written(size_t count) {
  json records = json::array();
  for (size_t i = 0; i < count; ++i) {
    records.push_back({{"SequenceNumber", std::to_string(1000 + i)}, {"ShardId", "shardId-0"}});
  }
  return {{"status", 200}, {"body", {{"FailedRecordCount", 0}, {"Records", records}}}};
}

json aws_error(int status, const std::string& type, const std::string& message) {
  return {{"status", status}, {"body", {{"__type", type}, {"message", message}}}};
}

std::unique_ptr<ShardSink> open_sink(const AnswerServer& server,
                                     const std::string& partition_key_field = "") {
  ::setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", secret.c_str(), 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  config::TargetConfig config;
  config.type = "kinesis";
  config.stream = "orders-out";
  config.region = "us-east-1";
  config.endpoint = server.url();
  config.partition_key_field = partition_key_field;
  auto target = make_target(config);
  if (!target) throw std::runtime_error(target.error().message);
  auto sink = (*target)->open_shard("shardId-000000000000");
  if (!sink) throw std::runtime_error(sink.error().message);
  return std::move(*sink);
}

std::vector<uint64_t> ordinals(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (uint64_t ordinal = first; ordinal <= last; ++ordinal) out.push_back(ordinal);
  return out;
}

std::vector<size_t> failed_indices(const DeliveryOutcome& outcome) {
  std::vector<size_t> out;
  for (const auto& item : outcome.failed_items) out.push_back(item.index);
  return out;
}

json records_sent(const json& request) {
  return json::parse(request["body"].get<std::string>())["Records"];
}

TEST(KinesisSink, PutsEachEnvelopeWithItsKeyAndReportsEverythingDelivered) {
  AnswerServer server(test_dir(), json::array({written(3)}));
  auto sink = open_sink(server);
  auto batch = keyed_batch(3, 2);
  auto outcome = sink->deliver(batch);
  EXPECT_FALSE(outcome.error.has_value()) << outcome.error->message;
  EXPECT_EQ(outcome.accepted, 3u);
  EXPECT_EQ(outcome.delivered, ordinals(1, 3));
  EXPECT_TRUE(outcome.failed_items.empty());

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["headers"]["x-amz-target"], "Kinesis_20131202.PutRecords");
  auto body = json::parse(requests[0]["body"].get<std::string>());
  EXPECT_EQ(body["StreamName"], "orders-out");
  ASSERT_EQ(body["Records"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(body["Records"][i]["PartitionKey"], batch[i].partition_key);
    EXPECT_EQ(body["Records"][i]["Data"], base64_encode(batch[i].envelope));
  }
}

TEST(KinesisSink, TakesTheKeyFromTheConfiguredField) {
  AnswerServer server(test_dir(), json::array({written(2)}));
  auto sink = open_sink(server, "customerId");
  std::vector<Record> batch = {keyed_record(1, "own", R"({"customerId":"c-9","data":1})"),
                               keyed_record(2, "own", R"({"data":2})")};
  auto outcome = sink->deliver(batch);
  EXPECT_FALSE(outcome.error.has_value());
  auto sent = records_sent(server.requests().at(0));
  EXPECT_EQ(sent[0]["PartitionKey"], "c-9");
  EXPECT_EQ(sent[1]["PartitionKey"], "own");
}

TEST(KinesisSink, AFailedSecondRequestKeepsTheFirstDeliveredAndOffersTheRestAgain) {
  // 600 records: 500 in the first request, 100 in the second, which is refused as a whole.
  AnswerServer server(test_dir(),
                      json::array({written(500), aws_error(400, "ValidationException", "bad")}));
  auto sink = open_sink(server);
  auto outcome = sink->deliver(keyed_batch(600, 7));
  EXPECT_EQ(outcome.accepted, 500u);
  EXPECT_EQ(outcome.delivered, ordinals(1, 500));
  EXPECT_TRUE(outcome.failed_items.empty());
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->kind, ErrorClass::permanent);
  EXPECT_NE(outcome.error->message.find("ValidationException"), std::string::npos);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(records_sent(requests[0]).size(), 500u);
  EXPECT_EQ(records_sent(requests[1]).size(), 100u);
}

TEST(KinesisSink, RefusedRecordsFailAloneAndTheRestOfTheBatchWaitsForTheRetry) {
  json first = written(500);
  auto& results = first["body"]["Records"];
  for (size_t i : {10, 20}) {
    results[i] = {{"ErrorCode", "ProvisionedThroughputExceededException"},
                  {"ErrorMessage", "Rate exceeded for shard shardId-0"}};
  }
  first["body"]["FailedRecordCount"] = 2;
  AnswerServer server(test_dir(), json::array({first, written(100)}));
  auto sink = open_sink(server);
  // 600 records over 1000 keys: every key once, so no later record follows a refused one.
  auto outcome = sink->deliver(keyed_batch(600, 1000));
  EXPECT_EQ(outcome.accepted, 500u);
  EXPECT_EQ(failed_indices(outcome), (std::vector<size_t>{10, 20}));
  for (const auto& item : outcome.failed_items) EXPECT_TRUE(item.error.is_retriable());
  EXPECT_EQ(outcome.delivered.size(), 498u);
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_TRUE(outcome.error->is_retriable());
  EXPECT_NE(outcome.error->message.find("last 100 records wait"), std::string::npos)
      << outcome.error->message;
  EXPECT_EQ(server.requests().size(), 1u);  // no second request while Kinesis throttles
}

TEST(KinesisSink, RecordsKinesisWouldRefuseAreRefusedWithoutBeingSent) {
  AnswerServer server(test_dir(), json::array({written(2)}));
  auto sink = open_sink(server);
  std::vector<Record> batch = {
      keyed_record(1, "a"), keyed_record(2, ""),
      keyed_record(3, "b", R"({"data":")" + std::string(1024 * 1024, 'x') + "\"}"),
      keyed_record(4, "c")};
  auto outcome = sink->deliver(batch);
  EXPECT_FALSE(outcome.error.has_value()) << outcome.error->message;
  EXPECT_EQ(outcome.accepted, 4u);
  EXPECT_EQ(outcome.delivered, (std::vector<uint64_t>{1, 4}));
  ASSERT_EQ(failed_indices(outcome), (std::vector<size_t>{1, 2}));
  for (const auto& item : outcome.failed_items) {
    EXPECT_EQ(item.error.kind, ErrorClass::permanent) << item.error.message;
  }
  EXPECT_NE(outcome.failed_items[1].error.message.find("1048576"), std::string::npos);
  auto sent = records_sent(server.requests().at(0));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0]["PartitionKey"], "a");
  EXPECT_EQ(sent[1]["PartitionKey"], "c");
}

TEST(KinesisSink, ABatchWithNothingToSendMakesNoRequest) {
  AnswerServer server(test_dir(), json::array({written(1)}));
  auto sink = open_sink(server);
  std::vector<Record> batch = {keyed_record(1, ""), keyed_record(2, std::string(300, 'k'))};
  auto outcome = sink->deliver(batch);
  EXPECT_FALSE(outcome.error.has_value());
  EXPECT_EQ(outcome.accepted, 2u);
  EXPECT_EQ(failed_indices(outcome), (std::vector<size_t>{0, 1}));
  EXPECT_TRUE(server.requests().empty());
}

TEST(KinesisSink, AMissingStreamIsFatalAndNamesStreamAndEndpoint) {
  AnswerServer server(test_dir(),
                      json::array({aws_error(400, "ResourceNotFoundException",
                                             "Stream orders-out under account 0 not found.")}));
  auto sink = open_sink(server);
  auto outcome = sink->deliver(keyed_batch(2, 2));
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->kind, ErrorClass::fatal);
  EXPECT_EQ(outcome.accepted, 0u);
  EXPECT_NE(outcome.error->message.find("orders-out not found at " + server.url()),
            std::string::npos)
      << outcome.error->message;
  EXPECT_EQ(outcome.error->message.find(secret), std::string::npos);
}

}  // namespace
}  // namespace shardpipe
