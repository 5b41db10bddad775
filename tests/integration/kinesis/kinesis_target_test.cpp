// The kinesis target against kinesalite, read back with the AWS SDK for JavaScript: every record
// put once with each key's records in order, partition keys from partition_key_field, a Kinesis
// to Kinesis pipe, partial PutRecords failures and throttling injected by a proxy, and a missing
// stream.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "kinesalite_test.hpp"
#include "kinesis_peer.hpp"
#include "local_pipe.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
namespace t = shardpipe::testing;
using nlohmann::json;

const std::string binary = SHARDPIPE_BINARY;

// One record of a stream as the independent client reads it.
struct StreamRecord {
  std::string shard_id;
  std::string partition_key;
  json envelope;     // the record's data: the envelope the target delivered
  std::string data;  // the source record's data, decoded from the envelope's base64
};

// Every record of `stream`, shard by shard, in each shard's order.
std::vector<StreamRecord> read_stream(const std::string& endpoint, const std::string& stream) {
  std::istringstream lines(t::kinesis_tool(endpoint, {"dump", stream}));
  std::vector<StreamRecord> records;
  std::string line;
  while (std::getline(lines, line)) {
    auto record = json::parse(line);
    auto envelope = json::parse(record.at("data").get<std::string>());
    std::string data = envelope.contains("data") && envelope["data"].is_string()
                           ? t::decode_base64(envelope["data"].get<std::string>())
                           : std::string();
    records.push_back(
        {record.at("shardId"), record.at("partitionKey"), std::move(envelope), std::move(data)});
  }
  return records;
}

// Empty when `got` holds each of `expected` exactly once and nothing else.
std::string exactly_once(const std::vector<std::string>& expected,
                         const std::vector<std::string>& got) {
  std::map<std::string, int> seen;
  for (const auto& data : got) seen[data]++;
  std::set<std::string> wanted(expected.begin(), expected.end());
  std::string problems;
  int missing = 0, duplicated = 0, unexpected = 0;
  for (const auto& data : expected) {
    int count = seen.contains(data) ? seen[data] : 0;
    if (count == 0 && ++missing <= 5) problems += "missing " + data + "\n";
    if (count > 1 && ++duplicated <= 5) problems += fmt::format("{} times: {}\n", count, data);
  }
  for (const auto& [data, count] : seen) {
    if (!wanted.contains(data) && ++unexpected <= 5) problems += "unexpected " + data + "\n";
  }
  if (missing + duplicated + unexpected > 0) {
    problems += fmt::format("({} expected, {} read: {} missing, {} duplicated, {} unexpected)",
                            expected.size(), got.size(), missing, duplicated, unexpected);
  }
  return problems;
}

std::vector<std::string> data_of(const std::vector<StreamRecord>& records) {
  std::vector<std::string> out;
  for (const auto& record : records) out.push_back(record.data);
  return out;
}

// Empty when, for every "k" of the records' data, its "n" increase in stream order.
std::string key_order(const std::vector<StreamRecord>& records) {
  std::map<std::string, int> last;
  std::string problems;
  for (const auto& record : records) {
    auto data = json::parse(record.data);
    std::string key = data.at("k");
    int n = data.at("n");
    if (last.contains(key) && last[key] >= n) {
      problems += fmt::format("key {}: {} after {}\n", key, n, last[key]);
    }
    last[key] = n;
  }
  return problems;
}

// Lines {"k":"key-<i mod keys>","n":<i>} put into a local log keyed by k.
std::vector<std::string> put_local(const fs::path& log, int count, int keys) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i)
    lines.push_back(fmt::format(R"({{"k":"key-{}","n":{}}})", i % keys, i));
  t::put_records(binary, log, lines, {"--partition-key-field", "k"});
  return lines;
}

class KinesisTarget : public t::KinesaliteTest {
 protected:
  // A pipe from `source` (lines of the source section) into the stream "out" at `target_endpoint`.
  fs::path write_pipe(const std::string& source, const std::string& target_endpoint,
                      const std::string& extra = "") {
    auto file = dir_ / "pipe.yaml";
    t::write_file(file, fmt::format(R"(name: kinesis-target-test
source:
{}target:
  type: kinesis
  stream: out
  endpoint: {}
{}retry: {{backoff_initial: 50ms, backoff_max: 1s}}
checkpoint:
  lease_duration: 3s
)",
                                    source, target_endpoint, extra));
    return file;
  }
  std::string local_source(int batch_size = 500) const {
    return fmt::format("  type: local\n  path: {}\n  batch_size: {}\n", (dir_ / "log").string(),
                       batch_size);
  }
  t::Completed run(const fs::path& pipe) { return t::run_until_idle(binary, pipe, "w", "2s"); }
};

TEST_F(KinesisTarget, PutsEveryRecordOnceWithItsOwnKeyAndInKeyOrder) {
  t::create_log(binary, dir_ / "log", 2);
  auto lines = put_local(dir_ / "log", 3000, 40);
  t::create_stream(endpoint(), "out", 3);
  auto done = run(write_pipe(local_source(), endpoint()));
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto records = read_stream(endpoint(), "out");
  EXPECT_EQ(exactly_once(lines, data_of(records)), "");
  EXPECT_EQ(key_order(records), "");
  std::map<std::string, std::set<std::string>> shards_of_key;
  for (const auto& record : records) {
    // The data is the envelope; the Kinesis key is the record's own key.
    EXPECT_EQ(record.envelope.at("eventSource"), "shardpipe:local");
    EXPECT_EQ(record.partition_key, json::parse(record.data).at("k").get<std::string>());
    EXPECT_EQ(record.partition_key, record.envelope.at("partitionKey").get<std::string>());
    shards_of_key[record.partition_key].insert(record.shard_id);
  }
  std::set<std::string> shards;
  for (const auto& [key, in] : shards_of_key) {
    EXPECT_EQ(in.size(), 1u) << key;
    shards.insert(in.begin(), in.end());
  }
  EXPECT_GT(shards.size(), 1u);  // 40 keys spread over the stream's shards
}

TEST_F(KinesisTarget, PartitionKeysComeFromTheConfiguredFieldOfTheDeliveredRecord) {
  t::create_log(binary, dir_ / "log", 1);
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i) {
    lines.push_back(fmt::format(R"({{"k":"key-{}","n":{},"customer":{}}})", i % 20, i, i % 20 % 7));
  }
  t::put_records(binary, dir_ / "log", lines, {"--partition-key-field", "k"});
  t::create_stream(endpoint(), "out", 2);
  // The transform makes the delivered record; its top-level "customer" (a number) is the key.
  auto pipe =
      write_pipe(local_source() + "  data_encoding: json\n  on_decode_error: fail\n", endpoint(),
                 "  partition_key_field: customer\n"
                 "transform: '{\"customer\": <$.data.customer>, \"k\": <$.data.k>, "
                 "\"n\": <$.data.n>}'\n");
  auto done = run(pipe);
  ASSERT_EQ(done.exit_code, 0) << done.err;

  std::vector<StreamRecord> records;
  for (auto& record : read_stream(endpoint(), "out")) {
    record.data = record.envelope.dump();  // the transformed record is the data itself
    records.push_back(std::move(record));
  }
  ASSERT_EQ(records.size(), lines.size());
  std::set<std::string> ns;
  for (const auto& record : records) {
    EXPECT_EQ(record.partition_key, std::to_string(record.envelope.at("customer").get<int>()));
    ns.insert(std::to_string(record.envelope.at("n").get<int>()));
  }
  EXPECT_EQ(ns.size(), lines.size());
  EXPECT_EQ(key_order(records), "");
}

TEST_F(KinesisTarget, AKinesisToKinesisPipeDeliversEveryRecordOnce) {
  t::create_stream(endpoint(), "in", 2);
  auto put = t::put_records(endpoint(), "in", 3000, 40);
  t::create_stream(endpoint(), "out", 1);
  auto source =
      fmt::format("  type: kinesis\n  stream: in\n  endpoint: {}\n  batch_size: 500\n", endpoint());
  auto done = run(write_pipe(source, endpoint()));
  ASSERT_EQ(done.exit_code, 0) << done.err;

  std::vector<std::string> expected;
  std::map<std::string, std::string> sequence_of;
  for (const auto& record : put) {
    expected.push_back(record.data);
    sequence_of[record.data] = record.sequence_number;
  }
  auto records = read_stream(endpoint(), "out");
  EXPECT_EQ(exactly_once(expected, data_of(records)), "");
  EXPECT_EQ(key_order(records), "");
  for (const auto& record : records) {
    EXPECT_EQ(record.envelope.at("eventSource"), "aws:kinesis");
    EXPECT_EQ(record.envelope.at("sequenceNumber"), sequence_of[record.data]);
    EXPECT_EQ(record.partition_key, json::parse(record.data).at("k").get<std::string>());
  }
}

TEST_F(KinesisTarget, PartialFailuresAndThrottlingEndWithEveryRecordOnceInKeyOrder) {
  t::create_log(binary, dir_ / "log", 2);
  auto lines = put_local(dir_ / "log", 3000, 40);
  t::create_stream(endpoint(), "out", 2);
  // Every 2nd PutRecords refuses part of its records (without writing them), every 7th request
  // is throttled as a whole.
  t::ListeningPeer proxy(
      {"/usr/bin/env", "node",
       (fs::path(SHARDPIPE_SOURCE_DIR) / "tests/peers/kinesis/fault_proxy.js").string(),
       std::to_string(kinesalite_->port()), "--fail-put-records-every", "2", "--throttle-every",
       "7", "--stats", (dir_ / "proxy-stats.json").string()},
      dir_ / "proxy.log");
  auto done = run(write_pipe(local_source(), proxy.endpoint()));
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto records = read_stream(endpoint(), "out");
  EXPECT_EQ(exactly_once(lines, data_of(records)), "");
  EXPECT_EQ(key_order(records), "");
  auto stats = json::parse(t::read_file(dir_ / "proxy-stats.json"));
  EXPECT_GE(stats["partialFailures"].get<int>(), 3) << stats.dump();
  EXPECT_GE(stats["refusedRecords"].get<int>(), 100) << stats.dump();
  EXPECT_GE(stats["throttled"].get<int>(), 1) << stats.dump();
}

TEST_F(KinesisTarget, AMissingStreamStopsThePipeWithAClearErrorAndNoSecret) {
  const std::string secret = "SECRET-wJalrXUtnFEMI-must-not-leak";
  t::use_test_credentials(secret);
  t::create_log(binary, dir_ / "log", 1);
  put_local(dir_ / "log", 10, 2);
  auto pipe = write_pipe(local_source(), endpoint());
  auto done = run(pipe);
  EXPECT_NE(done.exit_code, 0);
  EXPECT_NE(done.err.find("Kinesis stream out not found at " + endpoint()), std::string::npos)
      << done.err;
  EXPECT_EQ(done.err.find(secret), std::string::npos);
  EXPECT_EQ(done.out.find(secret), std::string::npos);
  // Nothing was delivered, so nothing is checkpointed.
  for (const auto& [shard, checkpoint] : t::checkpoints(binary, pipe)) {
    EXPECT_FALSE(t::is_sequence(checkpoint)) << shard << " " << checkpoint;
  }
}

}  // namespace
}  // namespace shardpipe
