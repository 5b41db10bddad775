// The DynamoDB Streams source through a fault-injecting proxy (tests/peers/dynamodb/
// streams_fault_proxy.js) in front of DynamoDB Local: empty pages of an open shard, throttling,
// expired iterators and 5xx answers under load with a kill; a shard that closes and its child;
// records trimmed before they were read, reported as a gap.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "base64.hpp"
#include "dynamodb_peer.hpp"
#include "dynamodb_streams_pipe.hpp"
#include "dynamodb_streams_test.hpp"
#include "local_pipe.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
namespace t = shardpipe::testing;
using namespace std::chrono_literals;

const std::string binary = SHARDPIPE_BINARY;

using DynamoDbStreamsFaults = t::DynamoDbStreamsTest;

nlohmann::json proxy_stats(const fs::path& dir) {
  std::ifstream in(dir / "proxy-stats.json");
  return nlohmann::json::parse(in);
}

// The sequence numbers of the stream's records, in order.
std::vector<std::string> sequences(const std::string& endpoint, const std::string& arn) {
  std::vector<std::string> out;
  for (const auto& [sequence, record] : t::stream_by_sequence(endpoint, arn)) {
    out.push_back(sequence);
  }
  return out;
}

TEST_F(DynamoDbStreamsFaults, EmptyPagesThrottlingExpiryAnd5xxUnderLoadLoseNothing) {
  auto arn = t::create_table(endpoint(), "faults");
  auto proxy = t::start_streams_fault_proxy(
      dir_, port(),
      {"--empty-every", "3", "--throttle-every", "7", "--expire-every", "5", "--fail-every", "11"});
  auto pipe = t::write_dynamodb_pipe(dir_, {.endpoint = proxy.endpoint(), .stream = arn});
  t::create_store(binary, pipe);
  t::BackgroundProcess writer(t::dynamodb_tool_command(endpoint(), {"put", "faults", "2000", "40"}),
                              dir_ / "writer.log");
  {
    auto first = start(pipe, "first.log");
    std::this_thread::sleep_for(3s);
    first->signal(SIGKILL);
    first->wait_for(10s);
  }
  ASSERT_EQ(writer.wait_for(240s), 0) << writer.output();
  auto done = run(pipe, "3s");
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto stream = t::stream_by_sequence(endpoint(), arn);
  ASSERT_EQ(stream.size(), 2000u);
  auto delivered = t::read_dynamodb_target(dir_ / "out");
  EXPECT_EQ(t::compare_with_stream(delivered, stream), "");
  EXPECT_EQ(delivered.size(), 2000u);
  auto stats = proxy_stats(dir_);
  std::cout << "proxy: " << stats.dump() << "\n";
  for (const char* fault : {"empty", "throttled", "expired", "failed"}) {
    EXPECT_GT(stats[fault].get<int>(), 0) << fault;
  }
}

TEST_F(DynamoDbStreamsFaults, AShardThatClosesIsFinishedBeforeItsChild) {
  auto arn = t::create_table(endpoint(), "split");
  t::put_items(endpoint(), "split", 300, 10);
  auto all = sequences(endpoint(), arn);
  ASSERT_EQ(all.size(), 300u);
  const std::string split_at = all[149];
  auto proxy = t::start_streams_fault_proxy(dir_, port(), {"--split-at", split_at});
  auto pipe = t::write_dynamodb_pipe(dir_, {.endpoint = proxy.endpoint(), .stream = arn});
  auto done = run(pipe, "3s");
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto delivered = t::read_dynamodb_target(dir_ / "out");
  EXPECT_EQ(t::compare_with_stream(delivered, t::stream_by_sequence(endpoint(), arn)), "");
  auto description = t::describe_stream(endpoint(), arn);
  const std::string parent = description["Shards"][0]["ShardId"];
  const std::string child = parent + "-child";
  std::map<std::string, std::vector<std::string>> by_shard;
  for (const auto& record : delivered) {
    by_shard[record.shard_folder].push_back(t::sequence_of(record));
  }
  ASSERT_EQ(by_shard[parent].size(), 150u);
  ASSERT_EQ(by_shard[child].size(), 150u);
  EXPECT_EQ(by_shard[parent].back(), split_at);
  EXPECT_EQ(by_shard[child].front(), all[150]);
  // The parent is finished as such; the child is checkpointed at its last record.
  auto checkpoints = t::checkpoints(binary, pipe);
  EXPECT_EQ(checkpoints[parent], "SHARD_END");
  EXPECT_EQ(checkpoints[child], all.back());
  // Parents before children: the child's first file was written after the parent's last.
  auto parent_last = fs::file_time_type::min(), child_first = fs::file_time_type::max();
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "out")) {
    if (!entry.is_regular_file()) continue;
    auto written = entry.last_write_time();
    if (entry.path().parent_path().filename() == parent)
      parent_last = std::max(parent_last, written);
    if (entry.path().parent_path().filename() == child)
      child_first = std::min(child_first, written);
  }
  ASSERT_NE(parent_last, fs::file_time_type::min());
  EXPECT_LE(parent_last, child_first);
}

TEST_F(DynamoDbStreamsFaults, RecordsTrimmedBeforeTheyWereReadAreReportedAsAGap) {
  auto arn = t::create_table(endpoint(), "trimmed");
  t::put_items(endpoint(), "trimmed", 40, 4);
  auto pipe = t::write_dynamodb_pipe(dir_, {.endpoint = endpoint(), .stream = arn});
  auto first = run(pipe);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(t::read_dynamodb_target(dir_ / "out").size(), 40u);

  // While the pipe is stopped, 60 more changes; the oldest 70 then pass the retention.
  t::put_items(endpoint(), "trimmed", 60, 4, 100);
  auto all = sequences(endpoint(), arn);
  ASSERT_EQ(all.size(), 100u);
  auto proxy = t::start_streams_fault_proxy(dir_, port(), {"--trim-through", all[69]});
  t::write_dynamodb_pipe(dir_, {.endpoint = proxy.endpoint(), .stream = arn});
  auto second = run(pipe);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("DATA LOST"), std::string::npos) << second.err;
  EXPECT_GT(proxy_stats(dir_)["trimmed"].get<int>(), 0);

  // What still exists is delivered: records 71 to 100, after the 40 of the first run.
  auto delivered = t::read_dynamodb_target(dir_ / "out");
  ASSERT_EQ(delivered.size(), 70u);
  EXPECT_EQ(t::sequence_of(delivered[39]), all[39]);
  EXPECT_EQ(t::sequence_of(delivered[40]), all[70]);
  EXPECT_EQ(t::sequence_of(delivered.back()), all.back());

  // The gap is a dead letter: where it starts, and the first record still there.
  auto list = t::run_process({binary, "dlq", "list", pipe.string(), "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::vector<nlohmann::json> entries;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "dlq")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) entries.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(entries.size(), 1u) << list.out;
  const auto& gap = entries[0];
  EXPECT_EQ(gap["condition"], "DataLost");
  EXPECT_EQ(gap["source"]["sequenceNumber"], all[39]);
  EXPECT_NE(gap["error"]["message"].get<std::string>().find("trimmed"), std::string::npos);
  auto described = nlohmann::json::parse(t::decode_base64(gap["record"]["rawData"]));
  EXPECT_EQ(described["lostAfter"], all[39]);
  EXPECT_EQ(described["firstAvailable"], all[70]);
  EXPECT_EQ(described["streamArn"], arn);
  // Checkpointed past the gap: a third run reports it no more.
  auto third = run(pipe);
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(third.err.find("DATA LOST"), std::string::npos) << third.err;
}

TEST_F(DynamoDbStreamsFaults, AParentRemovedBeforeItWasReadToItsEndIsReportedAndItsChildGoesOn) {
  auto arn = t::create_table(endpoint(), "orphan");
  t::put_items(endpoint(), "orphan", 30, 3);
  auto pipe = t::write_dynamodb_pipe(dir_, {.endpoint = endpoint(), .stream = arn});
  auto first = run(pipe);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(t::read_dynamodb_target(dir_ / "out").size(), 30u);

  // While the pipe is stopped, 70 more changes; the shard closes after the 60th and, past the
  // retention, is no longer listed: only its child is.
  t::put_items(endpoint(), "orphan", 70, 3, 100);
  auto all = sequences(endpoint(), arn);
  ASSERT_EQ(all.size(), 100u);
  const std::string parent = t::describe_stream(endpoint(), arn)["Shards"][0]["ShardId"];
  auto proxy = t::start_streams_fault_proxy(dir_, port(), {"--split-at", all[59], "--parent-gone"});
  t::write_dynamodb_pipe(dir_, {.endpoint = proxy.endpoint(), .stream = arn});
  auto second = run(pipe, "15s");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("DATA LOST: its parent " + parent + " is no longer in the stream"),
            std::string::npos)
      << second.err;

  // The child's records are delivered; the parent's unread rest (31st to 60th) is lost.
  auto delivered = t::read_dynamodb_target(dir_ / "out");
  ASSERT_EQ(delivered.size(), 70u);
  EXPECT_EQ(t::sequence_of(delivered[30]), all[60]);
  EXPECT_EQ(delivered[30].shard_folder, parent + "-child");
  // The parent is marked finished: a later run neither waits for it nor reports it again.
  auto checkpoints = t::checkpoints(binary, pipe);
  EXPECT_EQ(checkpoints[parent], "SHARD_END");
  EXPECT_EQ(checkpoints[parent + "-child"], all.back());
  auto third = run(pipe);
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(third.err.find("DATA LOST"), std::string::npos) << third.err;
}

}  // namespace
}  // namespace shardpipe
