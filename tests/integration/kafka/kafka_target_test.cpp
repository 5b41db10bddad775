// The kafka target and the kafka dead-letter destination against librdkafka's mock cluster, read
// back with kcat: every record once, in key order, with its eventID header; a broker outage
// during delivery; injected produce errors (retriable ones recovered, permanent refusals in the
// dead letters); errors at start; dead-letter entries on a topic with their provenance headers.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "kafka_mock_cluster.hpp"
#include "kafka_target_reader.hpp"
#include "local_pipe.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
namespace t = shardpipe::testing;
using namespace std::chrono_literals;
using nlohmann::json;

const std::string binary = SHARDPIPE_BINARY;

// Kafka protocol request type and error codes (rd_kafka_resp_err_t).
constexpr int16_t produce_request = 0;
constexpr int not_leader_for_partition = 6;
constexpr int not_enough_replicas = 19;
constexpr int message_too_large = 10;

// Lines {"k":"key-<i mod keys>","n":<i>,"pad":"..."} for i in [first, first + count) put into a
// local log keyed by k; `pad` bytes of padding where `padded(i)`.
std::vector<t::PutRecord> put_local(const fs::path& log, int count, int keys,
                                    const std::function<bool(int)>& padded = nullptr,
                                    size_t pad = 0, int first = 0) {
  std::vector<std::string> lines;
  for (int i = first; i < first + count; ++i) {
    const std::string padding(padded && padded(i) ? pad : 0, 'x');
    lines.push_back(fmt::format(R"({{"k":"key-{}","n":{},"pad":"{}"}})", i % keys, i, padding));
  }
  return t::put_records(binary, log, lines, {"--partition-key-field", "k"});
}

// The records' lines as the envelope's data shows them (compact JSON).
std::vector<std::string> lines_of(const std::vector<t::PutRecord>& records) {
  std::vector<std::string> lines;
  for (const auto& record : records) lines.push_back(json::parse(record.data).dump());
  return lines;
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
    if (count == 0 && ++missing <= 5) problems += "missing " + data.substr(0, 80) + "\n";
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

// A message's header, or "(none)".
std::string header(const t::ProducedMessage& message, const std::string& name) {
  auto found = message.headers.find(name);
  return found == message.headers.end() ? "(none)" : found->second;
}

// The source record's line (the envelope's data, compact) of each message.
std::vector<std::string> data_of(const std::vector<t::ProducedMessage>& messages) {
  std::vector<std::string> lines;
  for (const auto& message : messages) lines.push_back(json::parse(message.value)["data"].dump());
  return lines;
}

// Empty when, for every "k", its "n" increase in offset order and all its messages are in one
// partition.
std::string key_order(const std::vector<t::ProducedMessage>& messages) {
  std::map<std::string, std::pair<int32_t, int>> last;  // key -> partition, n
  std::string problems;
  for (const auto& message : messages) {
    auto data = json::parse(message.value)["data"];
    std::string key = data.at("k");
    int n = data.at("n");
    if (auto seen = last.find(key); seen != last.end()) {
      if (seen->second.first != message.partition) {
        problems += fmt::format("key {}: partitions {} and {}\n", key, seen->second.first,
                                message.partition);
      } else if (seen->second.second >= n) {
        problems += fmt::format("key {}: {} after {}\n", key, n, seen->second.second);
      }
    }
    last[key] = {message.partition, n};
  }
  return problems;
}

std::vector<json> read_dead_letter_files(const fs::path& folder) {
  std::vector<json> entries;
  if (!fs::exists(folder)) return entries;
  for (const auto& file : fs::recursive_directory_iterator(folder)) {
    if (file.path().extension() != ".jsonl") continue;
    std::istringstream text(t::read_file(file.path()));
    for (std::string line; std::getline(text, line);) entries.push_back(json::parse(line));
  }
  return entries;
}

class KafkaTarget : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = t::fresh_test_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  // A failed test keeps its folder (pipe file, log, dead letters) to look at.
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // A pipe from the local log at ./log into the topic "out"; `target` adds lines to the target
  // section.
  fs::path write_pipe(const std::string& target = "",
                      const std::string& dead_letter = "dead_letter: { type: file, path: ./dlq }\n",
                      int batch_size = 100) {
    auto file = dir_ / "pipe.yaml";
    t::write_file(file, fmt::format(R"(name: kafka-target-test
source:
  type: local
  path: ./log
  batch_size: {}
  data_encoding: json
target:
  type: kafka
  bootstrap_servers: "{}"
  topic: out
{}{}retry: {{backoff_initial: 50ms, backoff_max: 1s}}
checkpoint:
  lease_duration: 3s
metrics: {{ listen: "off" }}
)",
                                    batch_size, cluster_.bootstraps(), target, dead_letter));
    return file;
  }

  t::Completed run(const fs::path& pipe, const std::string& idle = "2s") {
    return t::run_until_idle(binary, pipe, "w", idle);
  }

  std::vector<t::ProducedMessage> read(const std::string& topic = "out") {
    return t::read_topic(cluster_.bootstraps(), topic);
  }

  t::KafkaMockCluster cluster_{3};
  fs::path dir_;
};

TEST_F(KafkaTarget, ProducesEveryRecordOnceInKeyOrderWithItsEventIdHeader) {
  t::create_log(binary, dir_ / "log", 2);
  auto put = put_local(dir_ / "log", 3000, 40);
  cluster_.create_topic("out", 4);
  auto pipe = write_pipe();
  auto done = run(pipe);
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto messages = read();
  EXPECT_EQ(exactly_once(lines_of(put), data_of(messages)), "");
  EXPECT_EQ(key_order(messages), "");
  std::set<int32_t> partitions;
  for (const auto& message : messages) {
    auto envelope = json::parse(message.value);
    // The value is the envelope; the key is the record's own key; the headers say which record.
    EXPECT_EQ(envelope.at("eventSource"), "shardpipe:local");
    EXPECT_EQ(message.key, envelope.at("partitionKey").get<std::string>());
    std::string event_id = envelope.at("eventID");
    EXPECT_EQ(header(message, "eventID"), event_id);
    EXPECT_EQ(header(message, "shardpipe-source-shard"), event_id.substr(0, event_id.find(':')));
    partitions.insert(message.partition);
  }
  EXPECT_GT(partitions.size(), 1u) << "keys spread over the partitions";
  EXPECT_EQ(t::checkpointed_to_the_end(binary, pipe, put), "");
}

TEST_F(KafkaTarget, KeyFieldPicksTheMessageKeyAndAMissingFieldKeepsTheRecordsKey) {
  t::create_log(binary, dir_ / "log", 1);
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i) {
    lines.push_back(
        i % 10 == 0 ? fmt::format(R"({{"k":"key-{}","n":{}}})", i % 7, i)
                    : fmt::format(R"({{"k":"key-{}","n":{},"customer":"c{}"}})", i % 7, i, i % 3));
  }
  auto put = t::put_records(binary, dir_ / "log", lines, {"--partition-key-field", "k"});
  cluster_.create_topic("out", 3);
  auto done = run(write_pipe("  key_field: data.customer\n"));
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto messages = read();
  EXPECT_EQ(exactly_once(lines_of(put), data_of(messages)), "");
  for (const auto& message : messages) {
    auto data = json::parse(message.value)["data"];
    EXPECT_EQ(message.key,
              (data.contains("customer") ? data["customer"] : data["k"]).get<std::string>())
        << message.value;
  }
}

TEST_F(KafkaTarget, ABrokerOutageDuringDeliveryLosesNothingAndDuplicatesNothing) {
  t::create_log(binary, dir_ / "log", 2);
  cluster_.create_topic("out", 4);
  auto put = put_local(dir_ / "log", 1000, 30);
  t::BackgroundProcess pipe(
      {binary, "run", write_pipe().string(), "--worker-id", "w", "--stop-when-idle", "6s"},
      dir_ / "run.log");
  ASSERT_TRUE(t::wait_until([&] { return read().size() >= put.size(); }, 30s)) << pipe.output();

  // Every broker down while records keep arriving: they wait in the producer, then go through.
  for (int broker = 1; broker <= 3; ++broker) cluster_.broker_down(broker);
  put = t::concat(put, put_local(dir_ / "log", 1000, 30, nullptr, 0, 1000));
  std::this_thread::sleep_for(4s);
  for (int broker = 1; broker <= 3; ++broker) cluster_.broker_up(broker);
  put = t::concat(put, put_local(dir_ / "log", 1000, 30, nullptr, 0, 2000));

  auto exit_code = pipe.wait_for(90s);
  ASSERT_TRUE(exit_code.has_value()) << pipe.output();
  EXPECT_EQ(*exit_code, 0) << pipe.output();
  EXPECT_NE(pipe.output().find("_ALL_BROKERS_DOWN"), std::string::npos)
      << "the producer saw the outage: " << pipe.output();
  auto messages = read();
  EXPECT_EQ(exactly_once(lines_of(put), data_of(messages)), "");
  EXPECT_EQ(key_order(messages), "");
}

TEST_F(KafkaTarget, RetriableProduceErrorsAreRecoveredInOrderWithoutDuplicates) {
  t::create_log(binary, dir_ / "log", 2);
  auto put = put_local(dir_ / "log", 2000, 25);
  cluster_.create_topic("out", 4);
  std::vector<int> errors;
  for (int i = 0; i < 10; ++i) {
    errors.push_back(not_leader_for_partition);
    errors.push_back(not_enough_replicas);
  }
  cluster_.push_request_errors(produce_request, errors);
  auto done = run(write_pipe());
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto messages = read();
  EXPECT_EQ(exactly_once(lines_of(put), data_of(messages)), "");
  EXPECT_EQ(key_order(messages), "");
  EXPECT_TRUE(read_dead_letter_files(dir_ / "dlq").empty());
}

TEST_F(KafkaTarget, RecordsTooLargeForTheProducerEndInTheDeadLettersAndTheRestIsDelivered) {
  t::create_log(binary, dir_ / "log", 2);
  // Every 100th record is larger than message.max.bytes allows: at most one per batch, so that
  // none is held back behind another (which would count an attempt).
  auto large = [](int i) { return i % 100 == 7; };
  auto put = put_local(dir_ / "log", 1000, 20, large, 3000);
  cluster_.create_topic("out", 4);
  auto pipe = write_pipe("  properties: { message.max.bytes: \"2000\" }\n",
                         "dead_letter: { type: file, path: ./dlq }\n", 20);
  auto done = run(pipe);
  ASSERT_EQ(done.exit_code, 0) << done.err;

  std::vector<t::PutRecord> small, too_large;
  for (int i = 0; i < 1000; ++i) (large(i) ? too_large : small).push_back(put[i]);
  auto messages = read();
  // Records of a key after a refused one were held back and sent after it: once each, in order.
  EXPECT_EQ(exactly_once(lines_of(small), data_of(messages)), "");
  EXPECT_EQ(key_order(messages), "");

  std::vector<std::string> dead;
  for (const auto& entry : read_dead_letter_files(dir_ / "dlq")) {
    EXPECT_EQ(entry["condition"], "RetryAttemptsExhausted");
    EXPECT_NE(entry["error"]["message"].get<std::string>().find("MSG_SIZE_TOO_LARGE"),
              std::string::npos)
        << entry.dump();
    EXPECT_EQ(entry["attempts"], 1) << "a permanent refusal is not retried";
    dead.push_back(entry["record"]["data"].dump());
  }
  EXPECT_EQ(exactly_once(lines_of(too_large), dead), "");
  EXPECT_EQ(t::checkpointed_to_the_end(binary, pipe, put), "");
}

TEST_F(KafkaTarget, RecordsTheBrokerRefusesEndInTheDeadLettersAndNothingIsLost) {
  t::create_log(binary, dir_ / "log", 1);
  auto put = put_local(dir_ / "log", 600, 10);
  cluster_.create_topic("out", 2);
  cluster_.push_request_errors(produce_request, {message_too_large});
  auto done = run(write_pipe("", "dead_letter: { type: file, path: ./dlq }\n", 50));
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto delivered = data_of(read());
  std::vector<std::string> dead;
  for (const auto& entry : read_dead_letter_files(dir_ / "dlq")) {
    EXPECT_NE(entry["error"]["message"].get<std::string>().find("MSG_SIZE_TOO_LARGE"),
              std::string::npos)
        << entry.dump();
    dead.push_back(entry["record"]["data"].dump());
  }
  EXPECT_FALSE(dead.empty()) << "the refused request's records are dead-lettered";
  // Each record is in the topic or in the dead letters, never in both.
  std::set<std::string> in_topic(delivered.begin(), delivered.end());
  for (const auto& record : dead) EXPECT_FALSE(in_topic.contains(record)) << record;
  std::vector<std::string> handled = delivered;
  handled.insert(handled.end(), dead.begin(), dead.end());
  EXPECT_EQ(exactly_once(lines_of(put), handled), "");
}

TEST_F(KafkaTarget, AMissingTopicStopsThePipeAtStartWithAClearError) {
  t::create_log(binary, dir_ / "log", 1);
  put_local(dir_ / "log", 10, 2);
  auto pipe = write_pipe();
  auto done = run(pipe);
  EXPECT_EQ(done.exit_code, 1);
  EXPECT_NE(done.err.find(fmt::format("Kafka topic out not found at {}", cluster_.bootstraps())),
            std::string::npos)
      << done.err;
  for (const auto& [shard, checkpoint] : t::checkpoints(binary, pipe)) {
    EXPECT_FALSE(t::is_sequence(checkpoint)) << shard << " " << checkpoint;
  }
}

TEST_F(KafkaTarget, ExactlyOnceIsRefusedUntilItIsAvailable) {
  t::create_log(binary, dir_ / "log", 1);
  cluster_.create_topic("out", 1);
  auto done = run(write_pipe("  exactly_once: true\n"));
  EXPECT_EQ(done.exit_code, 1);
  EXPECT_NE(done.err.find("target.exactly_once is not available yet"), std::string::npos)
      << done.err;
}

TEST_F(KafkaTarget, ProtectedProducerSettingsAreRefusedNamingTheKey) {
  t::create_log(binary, dir_ / "log", 1);
  cluster_.create_topic("out", 1);
  cluster_.create_topic("dlq", 1);

  // In the dead-letter section, validate finds it, with where it is written.
  auto pipe = write_pipe("", fmt::format(R"(dead_letter:
  type: kafka
  bootstrap_servers: "{}"
  topic: dlq
  properties: {{ enable.idempotence: "false" }}
)",
                                         cluster_.bootstraps()));
  auto validated = t::run_process({binary, "validate", pipe.string()});
  EXPECT_EQ(validated.exit_code, 2);
  EXPECT_NE(validated.err.find("pipe.yaml:"), std::string::npos) << validated.err;
  EXPECT_NE(validated.err.find("enable.idempotence must stay true"), std::string::npos)
      << validated.err;

  // In the target section too.
  pipe = write_pipe("  properties: { acks: \"1\" }\n");
  validated = t::run_process({binary, "validate", pipe.string()});
  EXPECT_EQ(validated.exit_code, 2);
  EXPECT_NE(validated.err.find("acks must stay all"), std::string::npos) << validated.err;
}

TEST_F(KafkaTarget, PoisonRecordsBecomeDeadLetterMessagesWithTheirProvenance) {
  t::create_log(binary, dir_ / "log", 2);
  std::vector<std::string> lines;
  std::set<std::string> poison;
  for (int i = 0; i < 500; ++i) {
    std::string line = i % 25 == 3 ? fmt::format(R"({{"k":"key-{}","n":{},"broken":)", i % 9, i)
                                   : fmt::format(R"({{"k":"key-{}","n":{}}})", i % 9, i);
    if (i % 25 == 3) poison.insert(line);
    lines.push_back(line);
  }
  // Keyed by the line's position, as the poison lines have no field to key by.
  auto put = t::put_records(binary, dir_ / "log", lines);
  cluster_.create_topic("out", 3);
  cluster_.create_topic("dlq", 2);
  auto pipe = write_pipe("", fmt::format(R"(dead_letter:
  type: kafka
  bootstrap_servers: "{}"
  topic: dlq
)",
                                         cluster_.bootstraps()));
  auto done = run(pipe);
  ASSERT_EQ(done.exit_code, 0) << done.err;

  EXPECT_EQ(read().size(), lines.size() - poison.size());
  std::map<std::string, t::PutRecord> by_event_id;
  for (const auto& record : put) {
    by_event_id[fmt::format("{}:{}", record.shard_id, record.sequence)] = record;
  }
  std::set<std::string> dead;
  for (const auto& message : read("dlq")) {
    auto entry = json::parse(message.value);
    EXPECT_EQ(entry["condition"], "DecodeError");
    EXPECT_EQ(entry["pipe"], "kafka-target-test");
    std::string event_id = entry["eventID"];
    ASSERT_TRUE(by_event_id.contains(event_id)) << event_id;
    EXPECT_EQ(header(message, "eventID"), event_id);
    EXPECT_EQ(header(message, "condition"), "DecodeError");
    EXPECT_EQ(header(message, "source-shard"), by_event_id[event_id].shard_id);
    EXPECT_EQ(header(message, "source-sequence"), std::to_string(by_event_id[event_id].sequence));
    EXPECT_EQ(message.key, entry["record"]["partitionKey"].get<std::string>()) << message.value;
    dead.insert(by_event_id[event_id].data);
  }
  EXPECT_EQ(dead, poison);
  EXPECT_EQ(t::checkpointed_to_the_end(binary, pipe, put), "");
}

}  // namespace
}  // namespace shardpipe
