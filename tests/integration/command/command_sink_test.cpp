// The command target's sink driven directly, with real processes: the example processors, and a
// scripted processor that crashes, hangs, or answers out of step once.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "command_test_support.hpp"
#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
namespace t = shardpipe::testing;
using namespace std::chrono_literals;
using namespace command_testing;
using Clock = std::chrono::steady_clock;

const std::string shard = "shardId-000000000004";

std::string test_name() {
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::ranges::replace(name, '/', '-');
  return name;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<uint64_t> ordinals(const std::vector<Record>& records) {
  std::vector<uint64_t> result;
  for (const auto& record : records) result.push_back(record.ordinal);
  return result;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Delivers `batch` and expects every record of it delivered.
void expect_all_delivered(ShardSink& sink, const std::vector<Record>& batch) {
  auto outcome = sink.deliver(batch);
  ASSERT_FALSE(outcome.error) << outcome.error->message;
  EXPECT_EQ(outcome.accepted, batch.size());
  EXPECT_EQ(outcome.delivered, ordinals(batch));
  EXPECT_TRUE(outcome.failed_items.empty());
}

// Delivers `batch` and expects the whole batch to fail, retriably; returns the error message.
std::string expect_whole_batch_failed(ShardSink& sink, const std::vector<Record>& batch) {
  auto outcome = sink.deliver(batch);
  EXPECT_TRUE(outcome.error);
  if (!outcome.error) return "";
  EXPECT_TRUE(outcome.error->is_retriable()) << outcome.error->message;
  EXPECT_EQ(outcome.accepted, 0u);
  EXPECT_TRUE(outcome.delivered.empty());
  return outcome.error->message;
}

// ---------------------------------------------------------------------------------------------
// The example processors, as a user would copy them.

class ExampleProcessor : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = t::fresh_test_dir("command-sink-" + test_name());
    fs::create_directories(dir_ / "out");
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // The example, with OUTPUT_FILE relative to its working folder and its stderr kept in a file
  // so that the test can see what it was told.
  std::unique_ptr<Target> example_target() {
    return command_target(
        {"sh", "-c", "exec \"$@\" 2>>processor.log", "sh", "env", "OUTPUT_FILE=out/processed.jsonl",
         interpreter(GetParam()), example_processor(GetParam()).string()},
        dir_);
  }
  std::string processor_log() const { return t::read_file(dir_ / "processor.log"); }

  fs::path dir_;
};

TEST_P(ExampleProcessor, HandlesBatchesAndReportsRecordsThatAreNotJson) {
  auto target = example_target();
  auto sink = target->open_shard(shard);
  ASSERT_TRUE(sink) << sink.error().message;
  EXPECT_FALSE((*sink)->buffering());

  auto first = make_records(shard, 10, 6, [](int i) {
    return i == 2 || i == 4 ? std::string("not json {") : fmt::format(R"({{"n":{}}})", i);
  });
  auto outcome = (*sink)->deliver(first);
  ASSERT_FALSE(outcome.error) << outcome.error->message;
  EXPECT_EQ(outcome.accepted, 6u);
  EXPECT_EQ(outcome.delivered, (std::vector<uint64_t>{0, 1, 3, 5}));
  ASSERT_EQ(outcome.failed_items.size(), 2u);
  EXPECT_EQ(outcome.failed_items[0].index, 2u);
  EXPECT_EQ(outcome.failed_items[1].index, 4u);
  EXPECT_TRUE(outcome.failed_items[0].error.is_retriable());
  EXPECT_TRUE(contains(outcome.failed_items[0].error.message, first[2].event_id));

  auto second = json_records(shard, 16, 3);
  expect_all_delivered(**sink, second);
  EXPECT_EQ((*sink)->flush().delivered.size(), 0u);
  EXPECT_EQ((*sink)->pending(), 0u);
  ASSERT_TRUE((*sink)->close(CloseReason::shutdown));

  std::vector<std::string> handled;
  for (const auto& line : lines_of(dir_ / "out" / "processed.jsonl")) {
    handled.push_back(nlohmann::json::parse(line).at("eventID"));
  }
  EXPECT_EQ(handled,
            concat({first[0].event_id, first[1].event_id, first[3].event_id, first[5].event_id},
                   event_ids(second)));
  auto log = processor_log();
  EXPECT_TRUE(contains(log, "initialize: shard " + shard + ", protocol 1")) << log;
  EXPECT_TRUE(contains(log, "shutdownRequested")) << log;
  EXPECT_TRUE(contains(log, "input closed")) << log;
}

TEST_P(ExampleProcessor, IsToldWhenItsShardEndsOrItsLeaseIsLost) {
  auto target = example_target();
  auto ended = target->open_shard(shard);
  ASSERT_TRUE(ended) << ended.error().message;
  expect_all_delivered(**ended, json_records(shard, 1, 2));
  ASSERT_TRUE((*ended)->close(CloseReason::shard_end));
  EXPECT_TRUE(contains(processor_log(), "shardEnded")) << processor_log();

  auto lost = target->open_shard("shardId-000000000005");
  ASSERT_TRUE(lost) << lost.error().message;
  ASSERT_TRUE((*lost)->close(CloseReason::lease_lost));
  EXPECT_TRUE(contains(processor_log(), "[shardId-000000000005]: leaseLost")) << processor_log();
}

INSTANTIATE_TEST_SUITE_P(Languages, ExampleProcessor, ::testing::Values("node", "python"));

// ---------------------------------------------------------------------------------------------
// A scripted processor that goes wrong once (MISBEHAVE, see processors/scripted_processor.py).

class ScriptedProcessor : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = t::fresh_test_dir("command-sink-" + test_name()); }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::unique_ptr<Target> scripted_target(const std::vector<std::string>& settings,
                                          std::chrono::milliseconds timeout = 30s) {
    std::vector<std::string> argv = {"env", "STARTS_FILE=starts", "OUTPUT_FILE=output",
                                     "MARKER=marker"};
    argv.insert(argv.end(), settings.begin(), settings.end());
    argv.push_back("python3");
    argv.push_back(test_processor("scripted_processor.py").string());
    return command_target(argv, dir_, timeout);
  }
  std::unique_ptr<ShardSink> open(Target& target) {
    auto sink = target.open_shard(shard);
    if (!sink) throw std::runtime_error(sink.error().message);
    return std::move(*sink);
  }
  std::vector<pid_t> pids() const { return started_pids(dir_ / "starts"); }
  std::vector<std::string> output() const { return lines_of(dir_ / "output"); }

  fs::path dir_;
};

TEST_F(ScriptedProcessor, IsStartedInTheFolderOfThePipeFileWithTheShardIdInItsEnvironment) {
  auto target = scripted_target({});
  auto sink = open(*target);
  // STARTS_FILE is relative: finding it in the folder proves where the processor runs.
  auto starts = lines_of(dir_ / "starts");
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_TRUE(starts[0].ends_with(" " + shard)) << starts[0];
}

class CrashMidBatch : public ScriptedProcessor,
                      public ::testing::WithParamInterface<std::pair<std::string, std::string>> {};

TEST_P(CrashMidBatch, FailsTheBatchRetriablyAndTheNextDeliveryRestartsIt) {
  auto [how, described] = GetParam();
  auto target = scripted_target({"MISBEHAVE=" + how, "MISBEHAVE_ON=2"});
  auto sink = open(*target);
  auto first = json_records(shard, 1, 10);
  auto second = json_records(shard, 11, 10);
  expect_all_delivered(*sink, first);

  auto message = expect_whole_batch_failed(*sink, second);
  EXPECT_TRUE(contains(message, described)) << message;
  EXPECT_TRUE(contains(message, "processRecords")) << message;
  ASSERT_EQ(pids().size(), 1u);
  EXPECT_TRUE(process_gone(pids()[0]));

  expect_all_delivered(*sink, second);
  auto started = pids();
  ASSERT_EQ(started.size(), 2u);
  EXPECT_NE(started[0], started[1]);
  EXPECT_EQ(output(), concat(event_ids(first), event_ids(second)));
}

INSTANTIATE_TEST_SUITE_P(
    Crashes, CrashMidBatch,
    ::testing::Values(std::pair<std::string, std::string>{"crash_exit", "exited with status 3"},
                      std::pair<std::string, std::string>{"crash_signal", "killed by signal 11"}),
    [](const auto& info) { return info.param.first; });

TEST_F(ScriptedProcessor, ExitBetweenBatchesIsRestartedBeforeTheNextBatch) {
  auto target = scripted_target({"MISBEHAVE=exit_after_reply"});
  auto sink = open(*target);
  expect_all_delivered(*sink, json_records(shard, 1, 5));
  ASSERT_TRUE(t::wait_until([&] { return process_gone(pids()[0]); }, 10s));
  // Not a failure of the next batch: the processor is found gone and started again first.
  expect_all_delivered(*sink, json_records(shard, 6, 5));
  EXPECT_EQ(pids().size(), 2u);
}

TEST_F(ScriptedProcessor, HangIsKilledAtTheTimeoutWithItsChildrenAndRetriedWithAFreshProcess) {
  auto target = scripted_target({"MISBEHAVE=hang_with_child", "CHILD_PID_FILE=child"}, 1s);
  auto sink = open(*target);
  auto batch = json_records(shard, 1, 5);
  auto started = Clock::now();
  auto message = expect_whole_batch_failed(*sink, batch);
  auto took = Clock::now() - started;
  EXPECT_TRUE(contains(message, "no reply within 1s")) << message;
  EXPECT_GE(took, 1s);
  EXPECT_LT(took, 4s);
  ASSERT_EQ(pids().size(), 1u);
  EXPECT_TRUE(process_gone(pids()[0])) << "the hung processor still runs";
  auto children = started_pids(dir_ / "child");
  ASSERT_EQ(children.size(), 1u);
  EXPECT_TRUE(t::wait_until([&] { return process_gone(children[0]); }, 5s))
      << "the child the processor started still runs";

  expect_all_delivered(*sink, batch);
  auto pids_now = pids();
  ASSERT_EQ(pids_now.size(), 2u);
  EXPECT_NE(pids_now[0], pids_now[1]);
  EXPECT_EQ(output(), event_ids(batch));
}

TEST_F(ScriptedProcessor, ProgramThatCannotBeStartedIsAClearRetriableError) {
  t::write_file(dir_ / "not-executable.sh", "#!/bin/sh\nexit 0\n");
  fs::permissions(dir_ / "not-executable.sh", fs::perms::owner_read | fs::perms::owner_write);
  struct Case {
    std::vector<std::string> argv;
    std::string reason;
  };
  for (const auto& [argv, reason] :
       {Case{{"no-such-record-processor", "--flag"}, "No such file or directory"},
        Case{{"./missing/processor.py"}, "No such file or directory"},
        Case{{"./not-executable.sh"}, "Permission denied"},
        Case{{"false"}, "exited with status 1 during initialize"}}) {
    auto target = command_target(argv, dir_);
    auto sink = target->open_shard(shard);
    ASSERT_FALSE(sink) << argv[0];
    EXPECT_TRUE(sink.error().is_retriable()) << sink.error().message;
    EXPECT_TRUE(contains(sink.error().message, argv[0])) << sink.error().message;
    EXPECT_TRUE(contains(sink.error().message, reason)) << sink.error().message;
    EXPECT_TRUE(contains(sink.error().message, shard)) << sink.error().message;
  }
}

TEST_F(ScriptedProcessor, ReplyToAnotherActionFailsTheBatchAndRestartsTheProcessor) {
  auto target = scripted_target({"MISBEHAVE=wrong_response_for"});
  auto sink = open(*target);
  auto batch = json_records(shard, 1, 5);
  auto message = expect_whole_batch_failed(*sink, batch);
  EXPECT_TRUE(contains(message, R"(it is the reply to "initialize")")) << message;
  EXPECT_TRUE(process_gone(pids()[0]));
  expect_all_delivered(*sink, batch);
  EXPECT_EQ(pids().size(), 2u);
}

TEST_F(ScriptedProcessor, LineThatIsNotJsonFailsTheBatchAndRestartsTheProcessor) {
  auto target = scripted_target({"MISBEHAVE=not_json"});
  auto sink = open(*target);
  auto batch = json_records(shard, 1, 5);
  auto message = expect_whole_batch_failed(*sink, batch);
  EXPECT_TRUE(contains(message, "not a JSON object")) << message;
  EXPECT_TRUE(contains(message, "hello from a processor")) << message;
  EXPECT_TRUE(process_gone(pids()[0]));
  expect_all_delivered(*sink, batch);
  EXPECT_EQ(pids().size(), 2u);
}

TEST_F(ScriptedProcessor, UnknownItemIdentifierFailsTheWholeBatchWithoutARestart) {
  auto target = scripted_target({"MISBEHAVE=unknown_identifier"});
  auto sink = open(*target);
  auto batch = json_records(shard, 1, 5);
  auto message = expect_whole_batch_failed(*sink, batch);
  EXPECT_TRUE(contains(message, "no-such-record")) << message;
  expect_all_delivered(*sink, batch);
  EXPECT_EQ(pids().size(), 1u) << "the processor was in step and needed no restart";
}

TEST_F(ScriptedProcessor, OutputNobodyAskedForRestartsTheProcessorBeforeTheNextBatch) {
  auto target = scripted_target({"MISBEHAVE=stray_output"});
  auto sink = open(*target);
  expect_all_delivered(*sink, json_records(shard, 1, 5));
  // The extra line must not be taken as the reply to the next batch.
  expect_all_delivered(*sink, json_records(shard, 6, 5));
  EXPECT_EQ(pids().size(), 2u);
}

TEST_F(ScriptedProcessor, ShardEndThatIsNotAcknowledgedFailsTheClose) {
  auto target = scripted_target({"MISBEHAVE=hang", "MISBEHAVE_ACTION=shardEnded"}, 1s);
  auto sink = open(*target);
  expect_all_delivered(*sink, json_records(shard, 1, 5));
  auto closed = sink->close(CloseReason::shard_end);
  ASSERT_FALSE(closed);
  EXPECT_TRUE(closed.error().is_retriable());
  EXPECT_TRUE(contains(closed.error().message, "no reply within 1s to shardEnded"))
      << closed.error().message;
  EXPECT_TRUE(process_gone(pids()[0]));
  // Closing again restarts the processor, which acknowledges this time.
  ASSERT_TRUE(sink->close(CloseReason::shard_end));
  EXPECT_EQ(pids().size(), 2u);
}

TEST_F(ScriptedProcessor, ShutdownIsBestEffortAndEndsAProcessorThatDoesNotAnswer) {
  auto target = scripted_target({"MISBEHAVE=hang", "MISBEHAVE_ACTION=shutdownRequested"}, 1s);
  auto sink = open(*target);
  auto started = Clock::now();
  EXPECT_TRUE(sink->close(CloseReason::shutdown));
  EXPECT_LT(Clock::now() - started, 4s);
  EXPECT_TRUE(process_gone(pids()[0]));
}

TEST_F(ScriptedProcessor, DroppingTheSinkEndsAProcessorThatIgnoresTheEndOfItsInput) {
  auto target = scripted_target({"IGNORE_EOF=1"});
  auto sink = open(*target);
  expect_all_delivered(*sink, json_records(shard, 1, 5));
  auto started = Clock::now();
  sink.reset();
  EXPECT_LT(Clock::now() - started, 5s);
  EXPECT_TRUE(process_gone(pids()[0]));
}

TEST_F(ScriptedProcessor, LargeBatchRoundTripsWhileTheProcessorAnswersAsItReads) {
  auto target = command_target({"python3", test_processor("echo_stream.py").string()}, dir_, 120s);
  auto sink = open(*target);
  // 10,000 records of about 1 KiB: about 12 MB each way, far beyond what the pipes hold.
  std::string payload = fmt::format(R"({{"text":"{}"}})", std::string(750, 'x'));
  auto batch = make_records(shard, 1, 10'000, [&](int) { return payload; });
  auto started = Clock::now();
  expect_all_delivered(*sink, batch);
  EXPECT_LT(Clock::now() - started, 60s);
}

}  // namespace
}  // namespace shardpipe
