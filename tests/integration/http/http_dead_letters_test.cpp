// The http dead-letter destination: entries are durable only when the server answered 2xx.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "free_port.hpp"
#include "http_test_server.hpp"
#include "targets/dead_letter/dead_letters.hpp"

namespace shardpipe {
namespace {

using nlohmann::json;
using shardpipe::testing::fresh_test_dir;
using shardpipe::testing::HttpTestServer;

struct Letters {
  std::vector<Record> records;
  std::vector<DeadLetter> letters;
};

Letters two_letters() {
  Letters made;
  for (int i = 1; i <= 2; ++i) {
    Record record;
    record.ordinal = static_cast<uint64_t>(i);
    record.sequence_number = std::to_string(500 + i);
    record.event_id = "shardId-000000000001:" + record.sequence_number;
    record.envelope = json{{"eventID", record.event_id}, {"data", "cG9pc29u"}}.dump();
    made.records.push_back(std::move(record));
  }
  for (const auto& record : made.records) {
    made.letters.push_back(DeadLetter{.condition = "RetryAttemptsExhausted",
                                      .message = "the target answered HTTP 500",
                                      .status_code = 500,
                                      .attempts = 3,
                                      .source_type = "local",
                                      .shard_id = "shardId-000000000001",
                                      .record = &record});
  }
  return made;
}

std::unique_ptr<DeadLetterDestination> destination(const std::string& url) {
  config::DeadLetterConfig config;
  config.type = "http";
  config.url = url;
  auto made = make_dead_letter_destination(config, "orders");
  if (!made) throw std::runtime_error(made.error().message);
  return std::move(*made);
}

TEST(HttpDeadLetters, PostsTheEntriesAndIsDurableOn2xx) {
  HttpTestServer server(fresh_test_dir("http-dlq-ok"), {{"status", 202}});
  auto dead_letters = destination(server.url("/dlq"));
  auto made = two_letters();
  auto written = dead_letters->write(made.letters);
  ASSERT_TRUE(written.has_value()) << written.error().message;

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["path"], "/dlq");
  EXPECT_EQ(seen[0]["headers"]["content-type"], "application/json");
  const auto& entries = seen[0]["body"];
  ASSERT_TRUE(entries.is_array()) << seen[0].dump();
  ASSERT_EQ(entries.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(entries[i]["version"], "1");
    EXPECT_EQ(entries[i]["pipe"], "orders");
    EXPECT_EQ(entries[i]["condition"], "RetryAttemptsExhausted");
    EXPECT_EQ(entries[i]["error"]["statusCode"], 500);
    EXPECT_EQ(entries[i]["attempts"], 3);
    EXPECT_EQ(entries[i]["eventID"], made.records[i].event_id);
    EXPECT_EQ(entries[i]["source"]["shardId"], "shardId-000000000001");
    EXPECT_EQ(entries[i]["record"], json::parse(made.records[i].envelope));
  }
}

TEST(HttpDeadLetters, AnythingButA2xxIsARetriableError) {
  HttpTestServer server(fresh_test_dir("http-dlq-error"), {{"status", 500}, {"body", "down"}});
  auto dead_letters = destination(server.url("/dlq"));
  auto made = two_letters();
  for (int status : {500, 503, 400, 404, 302}) {
    server.set_script({{"status", status}, {"body", "down"}});
    auto written = dead_letters->write(made.letters);
    ASSERT_FALSE(written.has_value()) << status;
    EXPECT_TRUE(written.error().is_retriable()) << status;
    EXPECT_EQ(written.error().status_code, status);
    EXPECT_NE(written.error().message.find(std::to_string(status)), std::string::npos)
        << written.error().message;
  }
  server.set_script({{"status", 200}});
  EXPECT_TRUE(dead_letters->write(made.letters).has_value());
}

TEST(HttpDeadLetters, AnOutageOfTheDestinationAloneKeepsTheEntriesPending) {
  HttpTestServer server(fresh_test_dir("http-dlq-path"),
                        {{"paths", {{"/dlq", {{"status", 503}}}}}, {"status", 200}});
  auto dead_letters = destination(server.url("/dlq"));
  auto made = two_letters();
  auto written = dead_letters->write(made.letters);
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().status_code, 503);
  // The same server still takes batches on its other paths.
  auto elsewhere = destination(server.url("/batches"));
  EXPECT_TRUE(elsewhere->write(made.letters).has_value());
}

TEST(HttpDeadLetters, AnUnreachableDestinationIsARetriableError) {
  auto dead_letters = destination(fmt::format("http://127.0.0.1:{}/dlq", testing::unused_port()));
  auto made = two_letters();
  auto written = dead_letters->write(made.letters);
  ASSERT_FALSE(written.has_value());
  EXPECT_TRUE(written.error().is_retriable());
  EXPECT_NE(written.error().message.find("dead letters"), std::string::npos)
      << written.error().message;
}

}  // namespace
}  // namespace shardpipe
