// The http target's sink against the scripted server: what it sends for a batch (body, headers,
// idempotency key) and how it reads the answers.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "free_port.hpp"
#include "http_test_server.hpp"
#include "targets/target.hpp"

namespace shardpipe {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using shardpipe::testing::fresh_test_dir;
using shardpipe::testing::HttpTestServer;

std::vector<Record> records(size_t count, uint64_t first = 1) {
  std::vector<Record> batch;
  for (uint64_t ordinal = first; ordinal < first + count; ++ordinal) {
    Record record;
    record.ordinal = ordinal;
    record.sequence_number = std::to_string(1000 + ordinal);
    record.event_id = "shardId-000000000000:" + record.sequence_number;
    record.partition_key = fmt::format("key-{}", ordinal);
    // data: base64 of "record-<n>"
    json envelope = {{"eventSource", "shardpipe:local"},
                     {"eventID", record.event_id},
                     {"sequenceNumber", record.sequence_number},
                     {"partitionKey", record.partition_key},
                     {"data", ordinal == 2 ? "cmV0cnktbWU=" : "eA=="}};
    record.envelope = envelope.dump();
    batch.push_back(std::move(record));
  }
  return batch;
}

std::unique_ptr<ShardSink> open_sink(const std::string& url,
                                     std::map<std::string, std::string> headers = {},
                                     config::Duration timeout = 10s) {
  config::TargetConfig config;
  config.type = "http";
  config.url = url;
  config.headers = std::move(headers);
  config.timeout = timeout;
  auto target = make_target(config);
  if (!target) throw std::runtime_error(target.error().message);
  auto sink = (*target)->open_shard("shardId-000000000000");
  if (!sink) throw std::runtime_error(sink.error().message);
  return std::move(*sink);
}

std::vector<uint64_t> ordinals(const std::vector<Record>& batch) {
  std::vector<uint64_t> all;
  for (const auto& record : batch) all.push_back(record.ordinal);
  return all;
}

TEST(HttpSink, PostsTheBatchAsAJsonArrayOfEnvelopes) {
  HttpTestServer server(fresh_test_dir("http-sink-body"));
  auto sink = open_sink(server.url("/batches"));
  EXPECT_FALSE(sink->buffering());
  auto batch = records(3);
  auto outcome = sink->deliver(batch);
  ASSERT_FALSE(outcome.error.has_value()) << outcome.error->message;
  EXPECT_EQ(outcome.accepted, 3u);
  EXPECT_EQ(outcome.delivered, ordinals(batch));
  EXPECT_EQ(sink->pending(), 0u);

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["method"], "POST");
  EXPECT_EQ(seen[0]["path"], "/batches");
  EXPECT_EQ(seen[0]["headers"]["content-type"], "application/json");
  json expected = json::array();
  for (const auto& record : batch) expected.push_back(json::parse(record.envelope));
  EXPECT_EQ(seen[0]["body"], expected);
}

TEST(HttpSink, SendsConfiguredHeadersWithEnvironmentReferencesExpanded) {
  ::setenv("SHARDPIPE_TEST_SINK_TOKEN", "t0ken-from-env", 1);
  HttpTestServer server(fresh_test_dir("http-sink-headers"));
  auto sink = open_sink(server.url(), {{"Authorization", "Bearer ${SHARDPIPE_TEST_SINK_TOKEN}"},
                                       {"X-Pipe", "orders"}});
  ::unsetenv("SHARDPIPE_TEST_SINK_TOKEN");  // expanded once, when the target was created
  ASSERT_FALSE(sink->deliver(records(2)).error.has_value());
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["headers"]["authorization"], "Bearer t0ken-from-env");
  EXPECT_EQ(seen[0]["headers"]["x-pipe"], "orders");
}

TEST(HttpSink, TheIdempotencyKeyRepeatsForARetriedBatchOnly) {
  HttpTestServer server(fresh_test_dir("http-sink-idempotency"), {{"statuses", {503}}});
  auto sink = open_sink(server.url());
  auto batch = records(4);
  auto failed = sink->deliver(batch);  // 503 first
  ASSERT_TRUE(failed.error.has_value());
  EXPECT_TRUE(failed.error->is_retriable());
  EXPECT_EQ(failed.error->status_code, 503);
  EXPECT_EQ(failed.accepted, 0u);
  EXPECT_TRUE(failed.delivered.empty());
  ASSERT_FALSE(sink->deliver(batch).error.has_value());
  ASSERT_FALSE(sink->deliver(records(4, 5)).error.has_value());

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& request : seen) {
    ASSERT_TRUE(request["headers"].contains("idempotency-key")) << request.dump();
    EXPECT_EQ(request["headers"]["idempotency-key"].get<std::string>().size(), 64u);
  }
  EXPECT_EQ(seen[0]["headers"]["idempotency-key"], seen[1]["headers"]["idempotency-key"]);
  EXPECT_NE(seen[1]["headers"]["idempotency-key"], seen[2]["headers"]["idempotency-key"]);
}

TEST(HttpSink, APartialAnswerFailsTheNamedRecordsOnly) {
  HttpTestServer server(fresh_test_dir("http-sink-partial"),
                        {{"partial_when_data_contains", "retry-me"}, {"partial_times", 1}});
  auto sink = open_sink(server.url());
  auto batch = records(4);  // the second record's data is "retry-me"
  auto outcome = sink->deliver(batch);
  ASSERT_FALSE(outcome.error.has_value()) << outcome.error->message;
  EXPECT_EQ(outcome.accepted, 4u);
  ASSERT_EQ(outcome.failed_items.size(), 1u);
  EXPECT_EQ(outcome.failed_items[0].index, 1u);
  EXPECT_TRUE(outcome.failed_items[0].error.is_retriable());
  EXPECT_EQ(outcome.delivered, (std::vector<uint64_t>{1, 3, 4}));

  // Offered again alone, it is taken (the server fails it only on its first appearance).
  auto retry = sink->deliver(std::span(batch).subspan(1, 1));
  ASSERT_FALSE(retry.error.has_value()) << retry.error->message;
  EXPECT_TRUE(retry.failed_items.empty());
  EXPECT_EQ(retry.delivered, (std::vector<uint64_t>{2}));
}

TEST(HttpSink, APartialAnswerBySequenceNumber) {
  HttpTestServer server(
      fresh_test_dir("http-sink-partial-sequence"),
      {{"partial_when_data_contains", "retry-me"}, {"partial_identifier", "sequenceNumber"}});
  auto sink = open_sink(server.url());
  auto outcome = sink->deliver(records(3));
  ASSERT_FALSE(outcome.error.has_value()) << outcome.error->message;
  ASSERT_EQ(outcome.failed_items.size(), 1u);
  EXPECT_EQ(outcome.failed_items[0].index, 1u);
  EXPECT_EQ(outcome.delivered, (std::vector<uint64_t>{1, 3}));
}

TEST(HttpSink, AnUnknownIdentifierFailsTheWholeBatch) {
  HttpTestServer server(fresh_test_dir("http-sink-bad-identifier"), {{"bad_identifier", true}});
  auto sink = open_sink(server.url());
  auto outcome = sink->deliver(records(3));
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_TRUE(outcome.error->is_retriable());
  EXPECT_NE(outcome.error->message.find("no-such-record"), std::string::npos)
      << outcome.error->message;
  EXPECT_EQ(outcome.accepted, 0u);
  EXPECT_TRUE(outcome.delivered.empty());
}

TEST(HttpSink, AClientErrorIsPermanent) {
  HttpTestServer server(fresh_test_dir("http-sink-poison"),
                        {{"fail_when_data_contains", "retry-me"}, {"fail_status", 400}});
  auto sink = open_sink(server.url());
  auto outcome = sink->deliver(records(3));
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->kind, ErrorClass::permanent);
  EXPECT_EQ(outcome.error->status_code, 400);
  EXPECT_NE(outcome.error->message.find("400"), std::string::npos) << outcome.error->message;
  // Without the marked record the batch goes through.
  auto rest = records(3, 3);
  EXPECT_FALSE(sink->deliver(rest).error.has_value());
}

TEST(HttpSink, AServerErrorIsRetriableAndTheRetryCanSucceed) {
  HttpTestServer server(fresh_test_dir("http-sink-server-error"),
                        {{"fail_when_data_contains", "retry-me"}, {"fail_times", 1}});
  auto sink = open_sink(server.url());
  auto batch = records(3);
  auto failed = sink->deliver(batch);
  ASSERT_TRUE(failed.error.has_value());
  EXPECT_TRUE(failed.error->is_retriable());
  EXPECT_EQ(failed.error->status_code, 500);
  auto retried = sink->deliver(batch);
  ASSERT_FALSE(retried.error.has_value()) << retried.error->message;
  EXPECT_EQ(retried.delivered, ordinals(batch));
}

TEST(HttpSink, NoAnswerFailsTheWholeBatchForAnotherTry) {
  auto sink = open_sink(fmt::format("http://127.0.0.1:{}/", testing::unused_port()));
  auto outcome = sink->deliver(records(2));
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_TRUE(outcome.error->is_retriable());
  EXPECT_EQ(outcome.accepted, 0u);

  HttpTestServer slow(fresh_test_dir("http-sink-time-out"), {{"delay_ms", 3000}});
  auto impatient = open_sink(slow.url(), {}, 200ms);
  auto timed_out = impatient->deliver(records(2));
  ASSERT_TRUE(timed_out.error.has_value());
  EXPECT_TRUE(timed_out.error->is_retriable());
  EXPECT_TRUE(timed_out.delivered.empty());
}

TEST(HttpSink, EachShardKeepsItsConnectionAlive) {
  HttpTestServer server(fresh_test_dir("http-sink-keep-alive"));
  auto first = open_sink(server.url());
  auto second = open_sink(server.url());
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(first->deliver(records(2, 10 * i + 1)).error.has_value());
    ASSERT_FALSE(second->deliver(records(2, 10 * i + 5)).error.has_value());
  }
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 6u);
  for (size_t i = 2; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i]["client_port"], seen[i % 2]["client_port"]) << i;
  }
}

}  // namespace
}  // namespace shardpipe
