// The command target through the shardpipe binary, as a user runs it: the example processors
// receive every record of a local log in order, a processor that crashes loses nothing, and a
// program that is missing is reported without bringing the pipe down.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>

#include "command_test_support.hpp"
#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
namespace t = shardpipe::testing;
using namespace std::chrono_literals;
using namespace command_testing;

const std::string binary = SHARDPIPE_BINARY;

std::vector<std::string> keyed_lines(int count) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) lines.push_back(fmt::format(R"({{"k":"key-{}","n":{}}})", i, i));
  return lines;
}

// `command` as a YAML flow list of quoted strings.
std::string yaml_list(const std::vector<std::string>& items) {
  std::string text = "[";
  for (const auto& item : items) {
    if (text.size() > 1) text += ", ";
    text += nlohmann::json(item).dump();
  }
  return text + "]";
}

std::string pipe_yaml(const std::string& name, const std::vector<std::string>& command,
                      const std::string& source_extra = "") {
  return fmt::format(R"(name: {}
source:
  type: local
  path: ./log
{}target:
  type: command
  command: {}
retry: {{backoff_initial: 50ms, backoff_max: 1s}}
checkpoint:
  lease_duration: 2s
shutdown_timeout: 5s
)",
                     name, source_extra, yaml_list(command));
}

// Empty when every record of `put` appears in `event_ids` at least once (exactly once when
// `exactly_once`), nothing else appears, and each shard's records appear in sequence order.
std::string check_delivered(const std::vector<t::PutRecord>& put,
                            const std::vector<std::string>& event_ids, bool exactly_once) {
  std::map<std::string, int> seen;
  std::map<std::string, uint64_t> last_sequence;
  std::string problems;
  for (const auto& id : event_ids) {
    ++seen[id];
    auto colon = id.rfind(':');
    auto shard = id.substr(0, colon);
    uint64_t sequence = std::stoull(id.substr(colon + 1));
    // A clean run hands each shard's records over in sequence order; a retried batch repeats
    // some, so order is checked only where every record must come once.
    if (exactly_once && sequence <= last_sequence[shard]) {
      problems += fmt::format("{} after sequence {}\n", id, last_sequence[shard]);
    }
    last_sequence[shard] = std::max(last_sequence[shard], sequence);
  }
  for (const auto& record : put) {
    auto id = fmt::format("{}:{}", record.shard_id, record.sequence);
    int times = seen[id];
    seen.erase(id);
    if (times == 0) problems += "missing " + id + "\n";
    if (exactly_once && times > 1) problems += fmt::format("{} {} times\n", id, times);
  }
  for (const auto& [id, times] : seen) problems += "unexpected " + id + "\n";
  return problems;
}

class ExamplePipe : public ::testing::TestWithParam<std::string> {};

TEST_P(ExamplePipe, DeliversEveryRecordOnceInOrderPerShard) {
  auto dir = t::fresh_test_dir("command-pipe-" + GetParam());
  t::create_log(binary, dir / "log", 2);
  auto put = t::put_records(binary, dir / "log", keyed_lines(2000), {"--partition-key-field", "k"});
  ASSERT_EQ(t::in_shard(put, "shardId-000000000000").empty(), false);
  ASSERT_EQ(t::in_shard(put, "shardId-000000000001").empty(), false);
  t::write_file(dir / "pipe.yaml",
                pipe_yaml("command-" + GetParam(),
                          {interpreter(GetParam()), example_processor(GetParam()).string()}));

  auto run = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.err;

  // OUTPUT_FILE defaults to ./processed.jsonl, in the pipe file's folder.
  std::vector<std::string> ids;
  for (const auto& line : lines_of(dir / "processed.jsonl")) {
    ids.push_back(nlohmann::json::parse(line).at("eventID"));
  }
  EXPECT_EQ(check_delivered(put, ids, /*exactly_once=*/true), "");
  for (std::string shard : {"shardId-000000000000", "shardId-000000000001"}) {
    EXPECT_NE(run.err.find("[" + shard + "]: initialize: shard " + shard), std::string::npos)
        << run.err;
    EXPECT_NE(run.err.find("[" + shard + "]: shutdownRequested"), std::string::npos) << run.err;
  }

  // After a split the parent's processor hears that its shard ended, and the children's
  // records follow.
  auto split = t::run_process(
      {binary, "log", "split", (dir / "log").string(), "--shard", "shardId-000000000000"});
  ASSERT_EQ(split.exit_code, 0) << split.err;
  auto more = t::put_records(binary, dir / "log", keyed_lines(300), {"--partition-key-field", "k"});
  auto again = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("[shardId-000000000000]: shardEnded"), std::string::npos) << again.err;
  ids.clear();
  for (const auto& line : lines_of(dir / "processed.jsonl")) {
    ids.push_back(nlohmann::json::parse(line).at("eventID"));
  }
  EXPECT_EQ(check_delivered(t::concat(put, more), ids, /*exactly_once=*/true), "");
  if (!HasFailure()) fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Languages, ExamplePipe, ::testing::Values("node", "python"));

TEST(CommandPipe, ProcessorThatCrashesMidBatchLosesNothing) {
  auto dir = t::fresh_test_dir("command-pipe-crash");
  t::create_log(binary, dir / "log", 2);
  auto put = t::put_records(binary, dir / "log", keyed_lines(600), {"--partition-key-field", "k"});
  // Both shards' processors share the marker: the third batch of whichever gets there first
  // crashes, once.
  t::write_file(dir / "pipe.yaml", pipe_yaml("command-crash",
                                             {"env", "OUTPUT_FILE=received", "MARKER=crashed",
                                              "MISBEHAVE=crash_exit", "MISBEHAVE_ON=3", "python3",
                                              test_processor("scripted_processor.py").string()},
                                             "  batch_size: 50\n"));

  auto run = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(fs::exists(dir / "crashed")) << "the processor never crashed";
  EXPECT_NE(run.err.find("exited with status 3 during processRecords"), std::string::npos)
      << run.err;
  EXPECT_EQ(check_delivered(put, lines_of(dir / "received"), /*exactly_once=*/false), "");
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(CommandPipe, MissingProgramIsReportedAndRetriedUntilTheStop) {
  auto dir = t::fresh_test_dir("command-pipe-missing");
  t::create_log(binary, dir / "log", 1);
  t::put_records(binary, dir / "log", keyed_lines(10));
  t::write_file(dir / "pipe.yaml",
                pipe_yaml("command-missing", {"./no-such-record-processor", "--verbose"}));

  t::BackgroundProcess pipe({binary, "run", (dir / "pipe.yaml").string(), "--stop-when-idle", "1s"},
                            dir / "pipe.log");
  auto reports = [&] {
    size_t count = 0;
    auto output = pipe.output();
    for (size_t at = output.find("cannot start [./no-such-record-processor, --verbose]");
         at != std::string::npos; at = output.find("cannot start [./no-", at + 1)) {
      ++count;
    }
    return count;
  };
  ASSERT_TRUE(t::wait_until([&] { return reports() >= 3; }, 20s)) << pipe.output();
  EXPECT_NE(pipe.output().find("No such file or directory"), std::string::npos) << pipe.output();
  ASSERT_TRUE(pipe.running()) << pipe.output();
  pipe.signal(SIGTERM);
  auto exit_code = pipe.wait_for(20s);
  ASSERT_TRUE(exit_code.has_value()) << pipe.output();
  EXPECT_EQ(*exit_code, 0) << pipe.output();
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(CommandPipe, ExamplePipeFilesAreValid) {
  for (std::string language : {"node", "python"}) {
    auto file = fs::path(SHARDPIPE_SOURCE_DIR) / "examples" / "processors" / language / "pipe.yaml";
    auto validated = t::run_process({binary, "validate", file.string()});
    EXPECT_EQ(validated.exit_code, 0) << file << "\n" << validated.out << validated.err;
  }
}

}  // namespace
}  // namespace shardpipe
