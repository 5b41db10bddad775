// The Kinesis source against kinesalite, with the AWS SDK for JavaScript as the producer: every
// record delivered once in key order, the envelope, start positions, expired iterators and
// throttling injected by a proxy, and the errors an operator sees.
#include <fmt/chrono.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "kinesalite_test.hpp"
#include "kinesis_peer.hpp"
#include "kinesis_pipe.hpp"
#include "local_pipe.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
namespace t = shardpipe::testing;
using namespace std::chrono_literals;

const std::string binary = SHARDPIPE_BINARY;

// The n of every record with key `key`, in the order the target holds them.
std::map<std::string, std::vector<int>> n_by_key(const std::vector<t::KinesisDelivered>& records) {
  std::map<std::string, std::vector<int>> out;
  for (const auto& record : records) {
    auto data = nlohmann::json::parse(record.data);
    out[data["k"]].push_back(data["n"]);
  }
  return out;
}

class KinesisSource : public t::KinesaliteTest {
 protected:
  t::Completed run(const fs::path& pipe, const std::string& idle = "2s") {
    return t::run_until_idle(binary, pipe, "test-worker", idle);
  }
};

TEST_F(KinesisSource, DeliversEveryRecordOfEveryShardOnceInKeyOrderAndCheckpointsTheEnd) {
  t::create_stream(endpoint(), "orders", 2);
  auto put = t::put_records(endpoint(), "orders", 3000, 40);
  auto pipe = t::write_kinesis_pipe(dir_, {.endpoint = endpoint()});
  auto first = run(pipe);
  ASSERT_EQ(first.exit_code, 0) << first.err;

  auto delivered = t::read_kinesis_target(dir_ / "out");
  EXPECT_EQ(t::exactly_once(put, delivered), "");
  for (const auto& [key, ns] : n_by_key(delivered)) {
    EXPECT_TRUE(std::is_sorted(ns.begin(), ns.end())) << key;
  }
  // The envelope of CONTRACT section 3, with the stream's ARN and region.
  ASSERT_FALSE(delivered.empty());
  const auto& envelope = delivered.front().envelope;
  EXPECT_EQ(envelope["eventSource"], "aws:kinesis");
  EXPECT_EQ(envelope["eventName"], "aws:kinesis:record");
  EXPECT_EQ(envelope["awsRegion"], "us-east-1");
  EXPECT_TRUE(envelope["eventSourceARN"].get<std::string>().ends_with(":stream/orders"))
      << envelope.dump();
  EXPECT_EQ(envelope["eventID"],
            delivered.front().folder + ":" + envelope["sequenceNumber"].get<std::string>());
  EXPECT_TRUE(envelope["approximateArrivalTimestamp"].is_number());
  std::map<std::string, std::string> sequence_of;
  for (const auto& record : put) sequence_of[record.data] = record.sequence_number;
  for (const auto& record : delivered) {
    ASSERT_EQ(record.envelope["sequenceNumber"], sequence_of[record.data]) << record.data;
  }

  // Each shard is checkpointed at its last record; a second run delivers nothing new.
  std::map<std::string, std::string> last_of_shard;
  for (const auto& record : put) last_of_shard[record.shard_id] = record.sequence_number;
  EXPECT_EQ(t::checkpoints(binary, pipe), last_of_shard);
  auto second = run(pipe);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(t::read_kinesis_target(dir_ / "out").size(), delivered.size());
}

TEST_F(KinesisSource, AtTimestampStartsAtTheFirstRecordThatArrivedThen) {
  t::create_stream(endpoint(), "orders", 1);
  t::put_records(endpoint(), "orders", 200, 10, 0);
  std::this_thread::sleep_for(1500ms);
  auto from = std::chrono::system_clock::now();
  std::this_thread::sleep_for(1500ms);
  auto after = t::put_records(endpoint(), "orders", 200, 10, 1000);
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(from.time_since_epoch()).count();
  auto pipe = t::write_kinesis_pipe(
      dir_, {.endpoint = endpoint(),
             .extra_source = fmt::format(
                 "  starting_position: AT_TIMESTAMP\n"
                 "  starting_position_timestamp: \"{}\"\n",
                 fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(static_cast<time_t>(seconds))))});
  auto done = run(pipe);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(t::exactly_once(after, t::read_kinesis_target(dir_ / "out")), "");
}

TEST_F(KinesisSource, LatestSkipsWhatWasThereAndSurvivesARestartBeforeAnythingArrives) {
  t::create_stream(endpoint(), "orders", 1);
  t::put_records(endpoint(), "orders", 100, 10, 0);
  auto pipe = t::write_kinesis_pipe(
      dir_, {.endpoint = endpoint(), .extra_source = "  starting_position: LATEST\n"});
  auto first = run(pipe, "1s");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(t::read_kinesis_target(dir_ / "out").empty());
  // Put while the pipe is stopped: LATEST was resolved and checkpointed by the first run, so
  // these records are not skipped by the second.
  std::this_thread::sleep_for(50ms);
  auto later = t::put_records(endpoint(), "orders", 100, 10, 1000);
  auto second = run(pipe);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(t::exactly_once(later, t::read_kinesis_target(dir_ / "out")), "");
}

TEST_F(KinesisSource, ExpiredIteratorsAndThrottlingSkipNothing) {
  t::create_stream(endpoint(), "orders", 2);
  auto put = t::put_records(endpoint(), "orders", 4000, 40);
  // Every 3rd GetRecords answered ExpiredIteratorException, every 5th request throttled.
  auto proxy = t::start_fault_proxy(dir_, kinesalite_->port(), 3, 5);
  auto pipe = t::write_kinesis_pipe(dir_, {.endpoint = proxy.endpoint(), .records_per_file = 50});
  // Small pages, so that many GetRecords calls are made and many iterators expire mid-shard.
  std::string yaml = t::read_file(pipe);
  yaml.replace(yaml.find("batch_size: 500"), 15, "batch_size: 50\n  max_in_flight_records: 60");
  t::write_file(pipe, yaml);
  auto done = run(pipe);
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto delivered = t::read_kinesis_target(dir_ / "out");
  EXPECT_EQ(t::exactly_once(put, delivered), "");
  for (const auto& [key, ns] : n_by_key(delivered)) {
    EXPECT_TRUE(std::is_sorted(ns.begin(), ns.end())) << key;
  }
  auto stats = nlohmann::json::parse(t::read_file(dir_ / "proxy-stats.json"));
  EXPECT_GE(stats["expired"].get<int>(), 5) << stats.dump();
  EXPECT_GE(stats["throttled"].get<int>(), 5) << stats.dump();
}

TEST_F(KinesisSource, IteratorsThatExpireManyTimesInARowAreRetriedNotFatal) {
  t::create_stream(endpoint(), "orders", 1);
  auto put = t::put_records(endpoint(), "orders", 300, 10);
  // More expiries in a row than one read re-acquires for: the pipe must back off and go on.
  auto proxy = t::start_fault_proxy(dir_, kinesalite_->port(), 0, 0, 7);
  auto pipe = t::write_kinesis_pipe(dir_, {.endpoint = proxy.endpoint()});
  auto done = run(pipe);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(t::exactly_once(put, t::read_kinesis_target(dir_ / "out")), "");
  auto stats = nlohmann::json::parse(t::read_file(dir_ / "proxy-stats.json"));
  EXPECT_GE(stats["expired"].get<int>(), 7) << stats.dump();
}

TEST_F(KinesisSource, CredentialsNeverAppearInTheOutput) {
  const std::string secret = "SECRET-wJalrXUtnFEMI-must-not-leak";
  t::use_test_credentials(secret);
  t::create_stream(endpoint(), "orders", 1);
  t::put_records(endpoint(), "orders", 50, 5);
  auto pipe = t::write_kinesis_pipe(dir_, {.endpoint = endpoint()});
  auto done = t::run_process_for(
      60s, {binary, "run", pipe.string(), "--stop-when-idle", "1s", "--log-level", "debug"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(done.out.find(secret), std::string::npos);
  EXPECT_EQ(done.err.find(secret), std::string::npos);
  auto status = t::run_process_for(30s, {binary, "status", pipe.string(), "--json"});
  EXPECT_EQ(status.out.find(secret), std::string::npos);
}

TEST_F(KinesisSource, MissingStreamAndMissingCredentialsAreClearErrors) {
  auto pipe = t::write_kinesis_pipe(dir_, {.endpoint = endpoint(), .stream = "no-such-stream"});
  auto missing = run(pipe);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("no-such-stream"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("not found"), std::string::npos) << missing.err;

  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::setenv("HOME", dir_.c_str(), 1);
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", (dir_ / "no-credentials").c_str(), 1);
  ::setenv("AWS_CONFIG_FILE", (dir_ / "no-config").c_str(), 1);
  auto no_credentials = run(pipe);
  EXPECT_NE(no_credentials.exit_code, 0);
  EXPECT_NE(no_credentials.err.find("credentials"), std::string::npos) << no_credentials.err;
}

}  // namespace
}  // namespace shardpipe
