// The enrichment stage end to end: the shardpipe binary reads a local log, POSTs each batch to a
// scripted enrichment endpoint and delivers the answer to the http target on the same server.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "http_test_server.hpp"
#include "local_pipe.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using shardpipe::testing::fresh_test_dir;
using shardpipe::testing::HttpTestServer;
namespace t = shardpipe::testing;
using namespace std::chrono_literals;

const std::string binary = SHARDPIPE_BINARY;

std::string pipe_yaml(const HttpTestServer& server, const std::string& extra = "") {
  return fmt::format(R"(name: enrich-pipe
source:
  type: local
  path: ./log
  batch_size: 20
  data_encoding: json
  on_decode_error: fail
enrichment:
  type: http
  url: {}
  headers:
    X-Enrich: ${{SHARDPIPE_TEST_ENRICH_VALUE}}
  timeout: 5s
target:
  type: http
  url: {}
  timeout: 5s
checkpoint:
  lease_duration: 2s
shutdown_timeout: 3s
{})",
                     server.url("/enrich"), server.url("/batches"), extra);
}

const json enrich_answer = {{"enrich", {{"add", {{"enriched", true}, {"tier", "gold"}}}}}};

std::vector<t::PutRecord> put_keyed(const fs::path& log, int count) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i)
    lines.push_back(fmt::format(R"({{"k":"key-{}","n":{}}})", i % 7, i));
  return t::put_records(binary, log, lines, {"--partition-key-field", "k"});
}

std::vector<json> requests_to(const HttpTestServer& server, const std::string& path) {
  std::vector<json> chosen;
  for (auto& request : server.requests())
    if (request["path"] == path) chosen.push_back(std::move(request));
  return chosen;
}

// eventID -> the envelope of its last 2xx delivery to /batches, and each shard's eventIDs in the
// order the target first received them.
struct Received {
  std::map<std::string, json> envelopes;
  std::map<std::string, std::vector<std::string>> order_by_shard;
};

Received received_by_target(const HttpTestServer& server) {
  Received received;
  for (const auto& request : requests_to(server, "/batches")) {
    if (request["status"] != 200) continue;
    for (const auto& envelope : request["body"]) {
      auto event_id = envelope["eventID"].get<std::string>();
      if (!received.envelopes.contains(event_id)) {
        auto shard = event_id.substr(0, event_id.find(':'));
        received.order_by_shard[shard].push_back(event_id);
      }
      received.envelopes[event_id] = envelope;
    }
  }
  return received;
}

std::string event_id(const t::PutRecord& record) {
  return fmt::format("{}:{}", record.shard_id, record.sequence);
}

// Every record put reached the target once enriched, each shard in the order it was put.
void expect_all_enriched_in_order(const Received& received, const std::vector<t::PutRecord>& put) {
  EXPECT_EQ(received.envelopes.size(), put.size());
  std::map<std::string, std::vector<std::string>> expected_order;
  for (const auto& record : put) {
    auto found = received.envelopes.find(event_id(record));
    ASSERT_NE(found, received.envelopes.end()) << event_id(record) << " never reached the target";
    EXPECT_EQ(found->second["enriched"], true) << found->second.dump();
    EXPECT_EQ(found->second["tier"], "gold");
    EXPECT_EQ(found->second["data"], json::parse(record.data)) << "the envelope was not kept";
    expected_order[record.shard_id].push_back(event_id(record));
  }
  EXPECT_EQ(received.order_by_shard, expected_order);
}

std::vector<json> dead_letter_entries(const fs::path& folder) {
  std::vector<json> entries;
  if (!fs::exists(folder)) return entries;
  for (const auto& file : fs::recursive_directory_iterator(folder)) {
    if (file.path().extension() != ".jsonl") continue;
    std::ifstream in(file.path());
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) entries.push_back(json::parse(line));
  }
  return entries;
}

struct EnvValue {
  EnvValue() { ::setenv("SHARDPIPE_TEST_ENRICH_VALUE", "from-env", 1); }
  ~EnvValue() { ::unsetenv("SHARDPIPE_TEST_ENRICH_VALUE"); }
};

TEST(Enrichment, EveryRecordReachesTheTargetEnrichedInOrder) {
  auto dir = fresh_test_dir("enrich-pipe");
  HttpTestServer server(dir / "server", {{"paths", {{"/enrich", enrich_answer}}}, {"status", 200}});
  t::create_log(binary, dir / "log", 2);
  auto put = put_keyed(dir / "log", 150);
  t::write_file(dir / "pipe.yaml", pipe_yaml(server));

  EnvValue env;
  auto run = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.err;

  auto enrich_requests = requests_to(server, "/enrich");
  ASSERT_FALSE(enrich_requests.empty());
  for (const auto& request : enrich_requests) {
    EXPECT_EQ(request["headers"]["x-enrich"], "from-env");
    EXPECT_TRUE(request["headers"].contains("idempotency-key"));
    for (const auto& envelope : request["body"])
      EXPECT_FALSE(envelope.contains("enriched")) << "the endpoint must get the records as read";
  }
  expect_all_enriched_in_order(received_by_target(server), put);
  EXPECT_EQ(t::checkpointed_to_the_end(binary, dir / "pipe.yaml", put), "");
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(Enrichment, AnEnrichmentOutageIsRetriedAndLosesNothing) {
  auto dir = fresh_test_dir("enrich-outage");
  json failing_first = enrich_answer;
  failing_first["statuses"] = {500, 500, 500, 503};
  HttpTestServer server(dir / "server", {{"paths", {{"/enrich", failing_first}}}, {"status", 200}});
  t::create_log(binary, dir / "log", 1);
  auto put = put_keyed(dir / "log", 60);
  t::write_file(dir / "pipe.yaml",
                pipe_yaml(server, "retry: {backoff_initial: 20ms, backoff_max: 100ms}\n"));

  EnvValue env;
  auto run = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.err;

  int failures = 0;
  for (const auto& request : requests_to(server, "/enrich")) failures += request["status"] != 200;
  EXPECT_EQ(failures, 4);
  expect_all_enriched_in_order(received_by_target(server), put);
  EXPECT_EQ(t::checkpointed_to_the_end(binary, dir / "pipe.yaml", put), "");
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(Enrichment, RecordsWhoseEnrichmentKeepsFailingAreDeadLetteredAsReadAndReplayedEnriched) {
  auto dir = fresh_test_dir("enrich-dead-letters");
  // A 2xx answer whose array never has the batch's length.
  HttpTestServer server(
      dir / "server",
      {{"paths", {{"/enrich", {{"status", 200}, {"body", json::array()}}}}}, {"status", 200}});
  t::create_log(binary, dir / "log", 1);
  auto put = put_keyed(dir / "log", 5);
  t::write_file(dir / "pipe.yaml",
                pipe_yaml(server,
                          "retry: {maximum_retry_attempts: 1, bisect_batch_on_error: true, "
                          "backoff_initial: 10ms, backoff_max: 50ms}\n"
                          "dead_letter: { type: file, path: ./dlq }\n"));

  EnvValue env;
  auto run = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.err;

  EXPECT_TRUE(requests_to(server, "/batches").empty()) << "nothing may reach the target";
  auto entries = dead_letter_entries(dir / "dlq");
  ASSERT_EQ(entries.size(), put.size());
  std::map<std::string, json> by_event_id;
  for (const auto& entry : entries) by_event_id[entry["eventID"].get<std::string>()] = entry;
  for (const auto& record : put) {
    auto found = by_event_id.find(event_id(record));
    ASSERT_NE(found, by_event_id.end()) << event_id(record) << " was not dead-lettered";
    const json& entry = found->second;
    EXPECT_EQ(entry["condition"], "RetryAttemptsExhausted");
    auto message = entry["error"]["message"].get<std::string>();
    EXPECT_NE(message.find("enrichment"), std::string::npos) << message;
    EXPECT_EQ(entry["record"]["data"], json::parse(record.data));
    EXPECT_FALSE(entry["record"].contains("enriched"));
  }
  EXPECT_EQ(t::checkpointed_to_the_end(binary, dir / "pipe.yaml", put), "");

  // Once the endpoint works again, a replay enriches the dead letters as the pipe would.
  server.set_script({{"paths", {{"/enrich", enrich_answer}}}, {"status", 200}});
  auto replayed = t::run_process({binary, "dlq", "replay", (dir / "pipe.yaml").string()});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  expect_all_enriched_in_order(received_by_target(server), put);
  if (!HasFailure()) fs::remove_all(dir);
}

// validate exits 2 with FILE:LINE:COL of the mistake.
void expect_refused_at(const std::string& section, int line, const std::string& words) {
  auto dir = fresh_test_dir("enrich-invalid");
  std::string yaml =
      "name: enrich-invalid\n"
      "source: { type: local, path: ./log }\n" +
      section + "target: { type: stdout }\n";
  t::write_file(dir / "pipe.yaml", yaml);
  auto validated = t::run_process_for(30s, {binary, "validate", (dir / "pipe.yaml").string()});
  EXPECT_EQ(validated.exit_code, 2) << validated.err;
  auto location = fmt::format("{}:{}:", (dir / "pipe.yaml").string(), line);
  EXPECT_NE(validated.err.find(location), std::string::npos)
      << "expected " << location << " in: " << validated.err;
  EXPECT_NE(validated.err.find(words), std::string::npos) << validated.err;
  if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

TEST(Enrichment, AnUnknownTypeIsRefusedWithItsPosition) {
  expect_refused_at("enrichment:\n  type: lambda\n  url: http://127.0.0.1:9/enrich\n", 4, "lambda");
}

TEST(Enrichment, AMissingUrlIsRefusedWithItsPosition) {
  expect_refused_at("enrichment:\n  timeout: 5s\n", 3, "url");
}

}  // namespace
}  // namespace shardpipe
