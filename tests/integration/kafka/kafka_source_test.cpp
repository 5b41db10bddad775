// The Kafka source against librdkafka's mock cluster, with kcat producing and reading back:
// poison messages, SIGKILLs mid-consumption, restarts, status, resets and verify from outside the
// group.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <random>
#include <thread>

#include "kafka_source_pipe.hpp"
#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe::testing {
namespace {

using namespace std::chrono_literals;
const std::string binary = SHARDPIPE_BINARY;

size_t count_valid(const std::map<MessageAt, std::string>& messages) {
  size_t valid = 0;
  for (const auto& [at, value] : messages) valid += is_valid_json_value(value);
  return valid;
}

// 50,000 keyed messages, one in 200 of them invalid JSON or invalid UTF-8: every valid one is
// delivered once, every poison one is dead-lettered with its topic, partition and offset, and the
// pipe keeps running throughout.
TEST(KafkaSource, PoisonMessagesAreDeadLetteredAndThePipeNeverStops) {
  KafkaSourceTest test("kafka-poison", 8);
  test.write_pipe();
  auto expected = test.produce(50'000, 500, 200);
  ASSERT_EQ(expected.size(), 50'000u);
  ASSERT_EQ(count_valid(expected), 50'000u - 250u);
  BackgroundProcess pipe({binary, "run", test.pipe_file().string(), "--worker-id", "w1"},
                         test.dir() / "run.log");
  bool complete = wait_until(
      [&] {
        return test.delivered().size() == count_valid(expected) &&
               test.dead_lettered().size() == 250;
      },
      120s);
  EXPECT_TRUE(complete) << test.exactly_once(expected) << pipe.output().substr(0, 3000);
  EXPECT_TRUE(pipe.running()) << pipe.output();
  EXPECT_EQ(test.exactly_once(expected), "");
  for (const auto& entry : dead_letter_entries(test.dir() / "dlq")) {
    EXPECT_EQ(entry["condition"], "DecodeError");
    EXPECT_EQ(entry["source"]["type"], "kafka");
    EXPECT_EQ(entry["source"]["topic"], "orders");
    ASSERT_TRUE(entry["record"].contains("rawData")) << entry.dump();
  }
  pipe.signal(SIGTERM);
  EXPECT_EQ(pipe.wait_for(30s), 0) << pipe.output();
  // Everything is committed: each partition's checkpoint is its last offset.
  auto checkpoints = test.checkpoints();
  std::map<std::string, int64_t> last;
  for (const auto& [at, value] : expected) last[at.first] = std::max(last[at.first], at.second);
  for (const auto& [shard, offset] : last) {
    EXPECT_EQ(checkpoints[shard], std::to_string(offset)) << shard;
  }
}

// SIGKILL at random moments while a backlog of 200,000 messages is consumed, three times; then a
// run to the end delivers every message once (file names are fixed by offsets, so replays rewrite
// the same files), and one more run finds nothing new.
TEST(KafkaSource, KillsDuringConsumptionLoseNothingAndARerunDeliversNothingNew) {
  KafkaSourceTest test("kafka-kills", 6);
  test.write_pipe({.target = "{ type: file, path: ./out, records_per_file: 200 }"});
  // A backlog big enough that the first files appear long before its end.
  auto expected = test.produce(200'000, 300);
  std::mt19937 random(42);
  for (int kill = 0; kill < 3; ++kill) {
    BackgroundProcess pipe({binary, "run", test.pipe_file().string(), "--worker-id", "w1"},
                           test.dir() / fmt::format("run-{}.log", kill));
    auto before = file_target_files(test.dir() / "out").size();
    // Kill once a new file shows progress (a cheap look), at a random point shortly after.
    ASSERT_TRUE(
        wait_until([&] { return file_target_files(test.dir() / "out").size() > before; }, 60s))
        << pipe.output();
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 100));
    pipe.signal(SIGKILL);
    pipe.wait_for(10s);
  }
  EXPECT_LT(test.delivered().size(), expected.size()) << "the kills came too late to matter";
  // The killed members never left the group: the next run waits for their sessions to expire.
  auto finished = run_until_idle(binary, test.pipe_file(), "w1", "3s");
  ASSERT_EQ(finished.exit_code, 0) << finished.err;
  EXPECT_EQ(test.exactly_once(expected), "");
  auto files = file_tree(test.dir() / "out");
  auto again = run_until_idle(binary, test.pipe_file(), "w1", "2s");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(file_tree(test.dir() / "out"), files) << "a rerun after the end delivered again";
  EXPECT_EQ(stray_files(test.dir() / "out"), std::vector<std::filesystem::path>{});
}

// `status` and `checkpoint list` ask the cluster from outside the group (without joining it):
// every partition with its committed offset and its lag behind the high watermark.
TEST(KafkaSource, StatusShowsCommittedOffsetsAndLag) {
  KafkaSourceTest test("kafka-status", 3);
  test.write_pipe();
  auto expected = test.produce(300, 30);
  auto before = status_json(binary, test.pipe_file());
  ASSERT_EQ(before["shards"].size(), 3u) << before.dump();
  uint64_t behind = 0;
  for (const auto& shard : before["shards"]) {
    behind += shard["recordsBehind"].get<uint64_t>();
    EXPECT_TRUE(shard["checkpoint"].is_null()) << shard.dump();
  }
  EXPECT_EQ(behind, 300u) << before.dump();
  BackgroundProcess pipe({binary, "run", test.pipe_file().string(), "--worker-id", "status-w"},
                         test.dir() / "run.log");
  ASSERT_TRUE(wait_until(
      [&] {
        auto status = status_json(binary, test.pipe_file());
        uint64_t left = 0;
        for (const auto& shard : status["shards"]) left += shard["recordsBehind"].get<uint64_t>();
        return left == 0;
      },
      60s))
      << status_json(binary, test.pipe_file()).dump() << pipe.output();
  pipe.signal(SIGTERM);
  EXPECT_EQ(pipe.wait_for(30s), 0) << pipe.output();
  EXPECT_EQ(test.exactly_once(expected), "");
  auto checkpoints = test.checkpoints();
  std::map<std::string, int64_t> last;
  for (const auto& [at, value] : expected) last[at.first] = std::max(last[at.first], at.second);
  for (const auto& [shard, offset] : last) EXPECT_EQ(checkpoints[shard], std::to_string(offset));
}

// `checkpoint set` commits new offsets for the group from outside it, between runs.
TEST(KafkaSource, CheckpointSetMovesTheGroupsOffsets) {
  KafkaSourceTest test("kafka-reset", 2);
  test.write_pipe();
  auto expected = test.produce(200, 20);
  auto first = run_until_idle(binary, test.pipe_file(), "w1", "2s");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(test.exactly_once(expected), "");
  std::filesystem::remove_all(test.dir() / "out");
  auto reset = run_process_for(30s, {binary, "checkpoint", "set", test.pipe_file().string(),
                                     "--all", "--to", "TRIM_HORIZON"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  for (const auto& [shard, checkpoint] : test.checkpoints()) {
    EXPECT_EQ(checkpoint, "TRIM_HORIZON") << shard;
  }
  auto again = run_until_idle(binary, test.pipe_file(), "w1", "2s");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(test.exactly_once(expected), "") << "a reset to TRIM_HORIZON reads everything again";
  // An offset: the checkpoint is the last handled message, reading resumes after it.
  auto to_offset = run_process_for(30s, {binary, "checkpoint", "set", test.pipe_file().string(),
                                         "--shard", "orders-0", "--to", "4"});
  ASSERT_EQ(to_offset.exit_code, 0) << to_offset.err;
  EXPECT_EQ(test.checkpoints()["orders-0"], "4");
}

// LATEST on a new group starts after what is in the topic now, and is committed at once, so
// messages produced while the pipe is stopped are not skipped by its next start.
TEST(KafkaSource, LatestIsCommittedAtOnceSoARestartSkipsNothing) {
  KafkaSourceTest test("kafka-latest", 2);
  KafkaPipeOptions options;
  options.extra = "";
  test.write_pipe(options);
  auto text = read_file(test.pipe_file());
  auto at = text.find("  data_encoding: json");
  text.insert(at, "  starting_position: LATEST\n");
  write_file(test.pipe_file(), text);
  auto old = test.produce(100, 10);
  auto first = run_until_idle(binary, test.pipe_file(), "w1", "2s");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(test.delivered().empty());
  auto all = test.produce(50, 10, 0, 100);
  auto second = run_until_idle(binary, test.pipe_file(), "w1", "2s");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  std::map<MessageAt, std::string> fresh;
  for (const auto& [position, value] : all) {
    if (!old.contains(position)) fresh[position] = value;
  }
  ASSERT_EQ(fresh.size(), 50u);
  EXPECT_EQ(test.exactly_once(fresh), "");
}

// `verify` reads every partition from outside the group (never joining it, never committing) and
// finds each message once in the file target or the dead letters; then it names exactly what a
// deleted file lost and a copied line repeated.
TEST(KafkaSource, VerifyReadsFromOutsideTheGroupAndFindsLostAndRepeatedMessages) {
  KafkaSourceTest test("kafka-verify", 3);
  test.write_pipe({.target = "{ type: file, path: ./out, records_per_file: 100 }"});
  auto expected = test.produce(3000, 60, 100);
  auto finished = run_until_idle(binary, test.pipe_file(), "w1", "2s");
  ASSERT_EQ(finished.exit_code, 0) << finished.err;
  ASSERT_EQ(test.exactly_once(expected), "");
  const auto committed = test.checkpoints();
  auto verify = [&] {
    auto done = run_process_for(120s, {binary, "verify", test.pipe_file().string(), "--json"});
    EXPECT_TRUE(done.err.empty() || done.exit_code != 2) << done.err;
    return std::pair{done.exit_code, nlohmann::json::parse(done.out, nullptr, false)};
  };

  auto [clean_exit, clean] = verify();
  EXPECT_EQ(clean_exit, 0) << clean.dump();
  EXPECT_EQ(clean["result"], "clean") << clean.dump();
  EXPECT_EQ(clean["shards"].size(), 3u);
  EXPECT_EQ(clean["totals"]["expected"], 3000);
  EXPECT_EQ(clean["totals"]["inTarget"], 2970);
  EXPECT_EQ(clean["totals"]["deadLettered"], 30);
  EXPECT_EQ(clean["totals"]["missing"], 0);
  EXPECT_EQ(clean["totals"]["duplicates"], 0);
  EXPECT_EQ(test.checkpoints(), committed) << "verify moved the group's offsets";

  // One file of orders-0 lost, and a line of orders-1 copied into another of its files.
  auto lost_file = file_target_files(test.dir() / "out" / "orders-0").front();
  auto lost_lines = read_file(lost_file);
  auto lost = std::count(lost_lines.begin(), lost_lines.end(), '\n');
  ASSERT_GT(lost, 0);
  std::filesystem::remove(lost_file);
  auto copied_from = file_target_files(test.dir() / "out" / "orders-1");
  ASSERT_GE(copied_from.size(), 2u);
  auto first_file = read_file(copied_from.front());
  auto copy = first_file.substr(0, first_file.find('\n') + 1);
  write_file(copied_from.back(), read_file(copied_from.back()) + copy);

  auto [damaged_exit, damaged] = verify();
  EXPECT_EQ(damaged_exit, 1) << damaged.dump();
  EXPECT_EQ(damaged["result"], "failed") << damaged.dump();
  EXPECT_EQ(damaged["totals"]["missing"], lost) << damaged.dump();
  // One gap, or more where a dead-lettered message inside the lost file's range splits it.
  EXPECT_GE(damaged["totals"]["gaps"], 1) << damaged.dump();
  EXPECT_EQ(damaged["totals"]["duplicates"], 1) << damaged.dump();
  for (const auto& shard : damaged["shards"]) {
    if (shard["shardId"] == "orders-0") {
      EXPECT_EQ(shard["missing"], lost) << shard.dump();
    } else if (shard["shardId"] == "orders-1") {
      EXPECT_EQ(shard["duplicates"]["count"], 1) << shard.dump();
    }
  }
}

// A protected librdkafka setting cannot be turned off from the pipe file: `validate` names it
// with its place in the file, and `run` refuses to start.
TEST(KafkaSource, AutoOffsetStoreCannotBeEnabled) {
  KafkaSourceTest test("kafka-protected", 1);
  test.write_pipe({.properties = "enable.auto.offset.store: \"true\""});
  auto validated = run_process_for(30s, {binary, "validate", test.pipe_file().string()});
  EXPECT_EQ(validated.exit_code, 2);
  EXPECT_NE(validated.err.find("pipe.yaml:"), std::string::npos) << validated.err;
  EXPECT_NE(validated.err.find("enable.auto.offset.store must stay false"), std::string::npos)
      << validated.err;
  auto run = run_process_for(30s, {binary, "run", test.pipe_file().string()});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("enable.auto.offset.store"), std::string::npos) << run.err;
}

TEST(KafkaSource, AMissingTopicIsAClearError) {
  KafkaSourceTest test("kafka-missing", 1);
  test.write_pipe({.topic = "nope"});
  auto run = run_process_for(30s, {binary, "run", test.pipe_file().string()});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("topic nope does not exist"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace shardpipe::testing
