// KPL-aggregated records (written by awslabs' aws-kinesis-agg) among plain ones, against
// kinesalite: every user record delivered once with its sub-sequence eventID and envelope,
// pipes killed while their checkpoints are inside an aggregate resume exactly there, expired
// iterators skip nothing, and an operator's `checkpoint set --to SEQ:N` is honoured.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
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
using t::concat;

// Where each user record (by data) sits in its aggregate: put_aggregated prints an aggregate's
// user records in order, all with the aggregate's sequence number.
std::map<std::string, int> sub_sequence_numbers(const std::vector<t::KinesisPut>& aggregated) {
  std::map<std::string, int> out;
  for (size_t i = 0; i < aggregated.size(); ++i) {
    bool same = i > 0 && aggregated[i].sequence_number == aggregated[i - 1].sequence_number;
    out[aggregated[i].data] = same ? out[aggregated[i - 1].data] + 1 : 0;
  }
  return out;
}

// Per shard folder, each key's records are in put order (n counts up).
void expect_key_order(const std::vector<t::KinesisDelivered>& delivered) {
  std::map<std::string, std::map<std::string, int>> last_n;  // folder -> key -> n
  for (const auto& record : delivered) {
    auto data = nlohmann::json::parse(record.data);
    auto [at, inserted] = last_n[record.folder].try_emplace(data["k"], -1);
    EXPECT_LT(at->second, data["n"].get<int>()) << record.folder << " " << record.data;
    at->second = data["n"];
  }
}

std::string with_small_batches(const fs::path& pipe) {
  std::string yaml = t::read_file(pipe);
  yaml.replace(yaml.find("batch_size: 500"), 15, "batch_size: 7");
  t::write_file(pipe, yaml);
  return yaml;
}

nlohmann::json verify_json(const fs::path& pipe) {
  auto done = t::run_process_for(120s, {binary, "verify", pipe.string(), "--json"});
  EXPECT_EQ(done.exit_code, 0) << done.out << done.err;
  return nlohmann::json::parse(done.out);
}

class KinesisAggregation : public t::KinesaliteTest {};

TEST_F(KinesisAggregation, EveryUserRecordOnceInKeyOrderWithSubSequenceEventIds) {
  t::create_stream(endpoint(), "orders", 2);
  auto plain = t::put_records(endpoint(), "orders", 50, 8, 0, 25);
  auto aggregated = t::put_aggregated(endpoint(), "orders", 200, 8, 1000, 10);
  plain = concat(plain, t::put_records(endpoint(), "orders", 50, 8, 2000, 25));
  // Aggregates of 25, 25, 25 and 2.
  aggregated = concat(aggregated, t::put_aggregated(endpoint(), "orders", 77, 8, 3000, 25));
  auto put = concat(plain, aggregated);
  auto pipe = t::write_kinesis_pipe(dir_, {.endpoint = endpoint(), .records_per_file = 40});
  auto ran = t::run_until_idle(binary, pipe, "w", "2s");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;

  auto delivered = t::read_kinesis_target(dir_ / "out");
  EXPECT_EQ(t::exactly_once(put, delivered), "");
  expect_key_order(delivered);
  std::map<std::string, const t::KinesisPut*> put_of;
  for (const auto& record : put) put_of[record.data] = &record;
  auto subs = sub_sequence_numbers(aggregated);
  for (const auto& record : delivered) {
    const auto& envelope = record.envelope;
    const t::KinesisPut* source = put_of[record.data];
    ASSERT_NE(source, nullptr) << record.data;
    EXPECT_EQ(record.folder, source->shard_id);
    // The Kinesis record's sequence number, as the KCL and Lambda show it.
    EXPECT_EQ(envelope["sequenceNumber"], source->sequence_number) << envelope.dump();
    EXPECT_EQ(envelope["partitionKey"], nlohmann::json::parse(record.data)["k"]);
    if (auto sub = subs.find(record.data); sub != subs.end()) {
      EXPECT_EQ(envelope["subSequenceNumber"], sub->second) << envelope.dump();
      EXPECT_EQ(envelope["eventID"],
                fmt::format("{}:{}:{}", record.folder, source->sequence_number, sub->second));
    } else {
      EXPECT_FALSE(envelope.contains("subSequenceNumber")) << envelope.dump();
      EXPECT_EQ(envelope["eventID"], record.folder + ":" + source->sequence_number);
    }
  }

  // An aggregate's last user record checkpoints the whole Kinesis record.
  std::map<std::string, std::string> last_of_shard;
  for (const auto& record : put) last_of_shard[record.shard_id] = record.sequence_number;
  EXPECT_EQ(t::checkpoints(binary, pipe), last_of_shard);
  auto verified = verify_json(pipe);
  EXPECT_EQ(verified["totals"]["expected"], put.size()) << verified["totals"].dump();
  EXPECT_EQ(verified["totals"]["inTarget"], put.size()) << verified["totals"].dump();
}

TEST_F(KinesisAggregation, KillsWhileCheckpointedInsideAnAggregateLoseAndRepeatNothing) {
  t::create_stream(endpoint(), "orders", 2);
  // Files of 3 user records in aggregates of 10: most file ends, and so most checkpoints, fall
  // inside an aggregate.
  auto pipe = t::write_kinesis_pipe(dir_, {.endpoint = endpoint(), .records_per_file = 3});
  with_small_batches(pipe);
  auto put = t::put_aggregated(endpoint(), "orders", 1500, 40, 0, 10);
  put = concat(put, t::put_records(endpoint(), "orders", 30, 40, 5000, 10));

  // Read beside a running pipe: a store busy for a moment reads as no checkpoints.
  auto checkpoints_now = [&] {
    try {
      return t::checkpoints(binary, pipe);
    } catch (const std::exception&) {
      return std::map<std::string, std::string>{};
    }
  };
  auto inside_an_aggregate = [](const std::map<std::string, std::string>& checkpoints) {
    for (const auto& [shard, checkpoint] : checkpoints) {
      if (checkpoint.find(':') != std::string::npos) return true;
    }
    return false;
  };
  int resumed_inside = 0;
  for (int run = 1; run <= 3; ++run) {
    auto before = checkpoints_now();
    t::BackgroundProcess running({binary, "run", pipe.string(), "--worker-id", "w"},
                                 dir_ / fmt::format("pipe-{}.log", run));
    // Killed once a checkpoint inside an aggregate is written (or after a while regardless:
    // the final run finishes the work).
    t::wait_until(
        [&] {
          auto now = checkpoints_now();
          return now != before && inside_an_aggregate(now);
        },
        60s);
    running.signal(SIGKILL);
    running.wait_for(10s);
    if (inside_an_aggregate(checkpoints_now())) ++resumed_inside;
    put = concat(put, t::put_aggregated(endpoint(), "orders", 500, 40, 10000 * run, 10));
  }
  std::printf("restarts from a checkpoint inside an aggregate: %d of 3; %zu of %zu delivered\n",
              resumed_inside, t::read_kinesis_target(dir_ / "out").size(), put.size());
  EXPECT_GE(resumed_inside, 1) << "no kill left a checkpoint inside an aggregate";
  auto final_run = t::run_until_idle(binary, pipe, "w", "3s");
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;

  auto delivered = t::read_kinesis_target(dir_ / "out");
  EXPECT_EQ(t::exactly_once(put, delivered), "");
  expect_key_order(delivered);
  auto verified = verify_json(pipe);
  EXPECT_EQ(verified["totals"]["expected"], put.size()) << verified["totals"].dump();
  EXPECT_EQ(verified["totals"]["duplicates"], 0) << verified["totals"].dump();
}

// An iterator is re-acquired after the last Kinesis record read: a page holds whole aggregates,
// and the next GetRecords waits until all of their user records are handed out.
TEST_F(KinesisAggregation, ExpiredIteratorsSkipNoUserRecord) {
  t::create_stream(endpoint(), "orders", 2);
  auto put = t::put_aggregated(endpoint(), "orders", 3000, 40, 0, 5);
  put = concat(put, t::put_records(endpoint(), "orders", 300, 40, 5000));
  // Every 3rd GetRecords answered ExpiredIteratorException, every 5th request throttled.
  auto proxy = t::start_fault_proxy(dir_, kinesalite_->port(), 3, 5);
  auto pipe = t::write_kinesis_pipe(dir_, {.endpoint = proxy.endpoint(), .records_per_file = 50});
  std::string yaml = t::read_file(pipe);
  yaml.replace(yaml.find("batch_size: 500"), 15, "batch_size: 50\n  max_in_flight_records: 60");
  t::write_file(pipe, yaml);
  auto ran = t::run_until_idle(binary, pipe, "w", "2s");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;

  auto delivered = t::read_kinesis_target(dir_ / "out");
  EXPECT_EQ(t::exactly_once(put, delivered), "");
  expect_key_order(delivered);
  auto stats = nlohmann::json::parse(t::read_file(dir_ / "proxy-stats.json"));
  EXPECT_GE(stats["expired"].get<int>(), 5) << stats.dump();
}

TEST_F(KinesisAggregation, CheckpointSetInsideAnAggregateResumesWithTheNextUserRecord) {
  t::create_stream(endpoint(), "orders", 1);
  auto aggregate = t::put_aggregated(endpoint(), "orders", 12, 3, 0, 12);
  auto after = t::put_records(endpoint(), "orders", 5, 3, 100);
  const std::string shard = aggregate.front().shard_id;
  const std::string seq = aggregate.front().sequence_number;
  auto pipe = t::write_kinesis_pipe(dir_, {.endpoint = endpoint(), .records_per_file = 4});

  auto set = t::run_process_for(
      60s, {binary, "checkpoint", "set", pipe.string(), "--shard", shard, "--to", seq + ":4"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(t::checkpoints(binary, pipe)[shard], seq + ":4");
  auto bad = t::run_process_for(
      60s, {binary, "checkpoint", "set", pipe.string(), "--shard", shard, "--to", seq + ":x"});
  EXPECT_NE(bad.exit_code, 0);

  auto ran = t::run_until_idle(binary, pipe, "w", "2s");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  std::vector<t::KinesisPut> expected(aggregate.begin() + 5, aggregate.end());
  expected = concat(expected, after);
  auto delivered = t::read_kinesis_target(dir_ / "out");
  EXPECT_EQ(t::exactly_once(expected, delivered), "");
  ASSERT_FALSE(delivered.empty());
  EXPECT_EQ(delivered.front().envelope["subSequenceNumber"], 5);
  EXPECT_EQ(delivered.front().file.filename().string(), seq + "-0000000005.jsonl");
  EXPECT_EQ(t::checkpoints(binary, pipe)[shard], after.back().sequence_number);
}

}  // namespace
}  // namespace shardpipe
