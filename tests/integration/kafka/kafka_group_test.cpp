// The Kafka source as a consumer group under failure: a worker killed while another shares the
// group, a target outage, and broker trouble (failing commits, a broker down and up).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <set>
#include <thread>

#include "http_test_server.hpp"
#include "kafka_source_pipe.hpp"
#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe::testing {
namespace {

using namespace std::chrono_literals;
const std::string binary = SHARDPIPE_BINARY;

// Kafka protocol request types and error codes the mock cluster is told to answer with.
constexpr int16_t offset_commit_request = 8;
constexpr int16_t fetch_request = 1;
constexpr int coordinator_not_available = 15;
constexpr int request_timed_out = 7;
constexpr int not_leader_for_partition = 6;

// The eventIDs of every record the server accepted (answered 200).
std::set<std::string> accepted_event_ids(const HttpTestServer& server) {
  std::set<std::string> ids;
  for (const auto& request : server.requests()) {
    if (request["status"] != 200) continue;
    for (const auto& id : request["event_ids"]) ids.insert(id.get<std::string>());
  }
  return ids;
}

// Two workers share the group; one is SIGKILLed mid-way. Once its session expires, the other
// takes its partitions over and finishes them: nothing lost, nothing twice in the output.
TEST(KafkaGroup, AKilledWorkersPartitionsAreTakenOverAndFinished) {
  KafkaSourceTest test("kafka-takeover", 8);
  test.write_pipe({.target = "{ type: file, path: ./out, records_per_file: 100 }"});
  auto expected = test.produce(20'000, 400);
  BackgroundProcess a({binary, "run", test.pipe_file().string(), "--worker-id", "a"},
                      test.dir() / "a.log");
  BackgroundProcess b({binary, "run", test.pipe_file().string(), "--worker-id", "b"},
                      test.dir() / "b.log");
  // Both members hold partitions (the group's assignment, as each logs it).
  ASSERT_TRUE(wait_until(
      [&] {
        return a.output().find("kafka: assigned") != std::string::npos &&
               b.output().find("kafka: assigned") != std::string::npos;
      },
      60s))
      << a.output() << b.output();
  ASSERT_TRUE(wait_until([&] { return test.delivered().size() > 2000; }, 60s));
  b.signal(SIGKILL);
  b.wait_for(10s);
  ASSERT_TRUE(wait_until([&] { return test.delivered().size() == expected.size(); }, 90s))
      << test.exactly_once(expected) << a.output().substr(0, 4000);
  // a took over what b held: it was assigned partitions a second time.
  auto log = a.output();
  EXPECT_NE(log.find("kafka: assigned"), log.rfind("kafka: assigned")) << log.substr(0, 4000);
  a.signal(SIGTERM);
  EXPECT_EQ(a.wait_for(30s), 0) << a.output();
  EXPECT_EQ(test.exactly_once(expected), "");
  // Everything committed: a new run finds nothing to do.
  auto files = file_tree(test.dir() / "out");
  auto again = run_until_idle(binary, test.pipe_file(), "c", "2s");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(file_tree(test.dir() / "out"), files);
}

// While the target is down nothing is committed, however long it lasts; once it is back,
// everything arrives and the offsets move to the end.
TEST(KafkaGroup, OffsetsDoNotMoveWhileTheTargetIsDown) {
  KafkaSourceTest test("kafka-outage", 4);
  HttpTestServer server(test.dir() / "http", {{"status", 503}});
  test.write_pipe({.target = fmt::format("{{ type: http, url: \"{}\" }}", server.url())});
  auto expected = test.produce(2'000, 100);
  BackgroundProcess pipe({binary, "run", test.pipe_file().string(), "--worker-id", "w"},
                         test.dir() / "run.log");
  ASSERT_TRUE(wait_until([&] { return server.requests().size() >= 20; }, 60s)) << pipe.output();
  std::this_thread::sleep_for(3s);  // several commit intervals
  for (const auto& [shard, checkpoint] : test.checkpoints()) {
    EXPECT_EQ(checkpoint, "") << shard << " was committed while the target was down";
  }
  server.set_script({{"status", 200}});
  std::set<std::string> received;
  ASSERT_TRUE(wait_until(
      [&] { return (received = accepted_event_ids(server)).size() == expected.size(); }, 90s))
      << received.size() << " of " << expected.size() << "\n"
      << pipe.output().substr(0, 3000);
  for (const auto& [at, value] : expected) {
    EXPECT_TRUE(received.contains(fmt::format("{}:{}", at.first, at.second)))
        << at.first << "@" << at.second;
  }
  pipe.signal(SIGTERM);
  EXPECT_EQ(pipe.wait_for(30s), 0) << pipe.output();
  std::map<std::string, int64_t> last;
  for (const auto& [at, value] : expected) last[at.first] = std::max(last[at.first], at.second);
  auto checkpoints = test.checkpoints();
  for (const auto& [shard, offset] : last) EXPECT_EQ(checkpoints[shard], std::to_string(offset));
}

// A backlog three times what a partition's queue holds (2,000 messages here), read while the target
// is down and the pipe may hold only 500 records in flight: each queue fills and its partition is
// paused at the broker. Once the target is back, every paused partition must be resumed, or the
// rest of its messages would never come.
TEST(KafkaGroup, PartitionsPausedForAFullQueueAreResumedWhenItDrains) {
  KafkaSourceTest test("kafka-paused", 2);
  HttpTestServer server(test.dir() / "http", {{"status", 503}});
  test.write_pipe({.target = fmt::format("{{ type: http, url: \"{}\" }}", server.url()),
                   .source_extra = "max_in_flight_records: 500"});
  auto expected = test.produce(12'000, 100);
  BackgroundProcess pipe({binary, "run", test.pipe_file().string(), "--worker-id", "w"},
                         test.dir() / "run.log");
  ASSERT_TRUE(wait_until([&] { return server.requests().size() >= 10; }, 60s)) << pipe.output();
  std::this_thread::sleep_for(2s);  // the queues fill up behind the in-flight cap
  server.set_script({{"status", 200}});
  std::set<std::string> received;
  ASSERT_TRUE(wait_until(
      [&] { return (received = accepted_event_ids(server)).size() == expected.size(); }, 120s))
      << received.size() << " of " << expected.size() << "\n"
      << pipe.output().substr(0, 3000);
  pipe.signal(SIGTERM);
  EXPECT_EQ(pipe.wait_for(30s), 0) << pipe.output();
}

// Commits that fail, fetches that fail and a broker that goes down and comes back while a backlog
// is consumed: the pipe recovers by itself and nothing is lost or delivered twice.
TEST(KafkaGroup, BrokerErrorsAndAnOutageAreRecoveredWithNothingLost) {
  KafkaSourceTest test("kafka-broker-errors", 6);
  test.write_pipe({.target = "{ type: file, path: ./out, records_per_file: 100 }"});
  auto expected = test.produce(12'000, 300);
  test.cluster().push_request_errors(
      offset_commit_request,
      {coordinator_not_available, request_timed_out, coordinator_not_available, request_timed_out});
  test.cluster().push_request_errors(fetch_request,
                                     {not_leader_for_partition, not_leader_for_partition});
  BackgroundProcess pipe({binary, "run", test.pipe_file().string(), "--worker-id", "w"},
                         test.dir() / "run.log");
  ASSERT_TRUE(wait_until([&] { return test.delivered().size() > 1000; }, 60s)) << pipe.output();
  test.cluster().broker_down(2);
  std::this_thread::sleep_for(3s);
  test.cluster().broker_up(2);
  test.cluster().push_request_errors(offset_commit_request,
                                     {request_timed_out, coordinator_not_available});
  ASSERT_TRUE(wait_until([&] { return test.delivered().size() == expected.size(); }, 120s))
      << test.exactly_once(expected) << pipe.output().substr(0, 4000);
  EXPECT_TRUE(pipe.running());
  // The commits get through in the end.
  std::map<std::string, int64_t> last;
  for (const auto& [at, value] : expected) last[at.first] = std::max(last[at.first], at.second);
  EXPECT_TRUE(wait_until(
      [&] {
        auto checkpoints = test.checkpoints();
        for (const auto& [shard, offset] : last) {
          if (checkpoints[shard] != std::to_string(offset)) return false;
        }
        return true;
      },
      30s));
  pipe.signal(SIGTERM);
  EXPECT_EQ(pipe.wait_for(30s), 0) << pipe.output();
  EXPECT_EQ(test.exactly_once(expected), "");
}

}  // namespace
}  // namespace shardpipe::testing
