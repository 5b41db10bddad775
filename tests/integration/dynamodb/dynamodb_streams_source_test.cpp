// The DynamoDB Streams source against DynamoDB Local, with the AWS SDK for JavaScript writing the
// items and reading the stream independently: exactly the changes made, in order per item, as the
// service sent them; kills; silence; every stream view type; a disabled stream; start positions;
// the errors an operator sees; `verify` reading the stream back.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

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

// `shardpipe verify --json`: its exit status and report.
std::pair<int, nlohmann::json> verify(const fs::path& pipe) {
  auto done = t::run_process_for(120s, {binary, "verify", pipe.string(), "--json"});
  EXPECT_NE(done.exit_code, 2) << done.err;
  return {done.exit_code, nlohmann::json::parse(done.out, nullptr, false)};
}

using DynamoDbStreams = t::DynamoDbStreamsTest;

TEST_F(DynamoDbStreams, ExactlyFiveChangesDeliveredInOrderAsTheServiceSentThem) {
  auto arn = t::create_table(endpoint(), "five");
  t::put_items(endpoint(), "five", 3, 3);  // key-0/0, key-1/1, key-2/2
  auto updated = t::update_item(endpoint(), "five", "key-1", "1");
  t::delete_item(endpoint(), "five", "key-2", "2");

  auto pipe = t::write_dynamodb_pipe(dir_, {.endpoint = endpoint(), .stream = arn});
  auto done = run(pipe);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  auto delivered = t::read_dynamodb_target(dir_ / "out");
  ASSERT_EQ(delivered.size(), 5u);
  EXPECT_EQ(t::compare_with_stream(delivered, t::stream_by_sequence(endpoint(), arn)), "");

  std::vector<std::string> changes;
  for (const auto& record : delivered) {
    changes.push_back(record.envelope["eventName"].get<std::string>() + " " +
                      t::item_of(record.envelope));
  }
  EXPECT_EQ(changes, (std::vector<std::string>{"INSERT key-0/0", "INSERT key-1/1", "INSERT key-2/2",
                                               "MODIFY key-1/1", "REMOVE key-2/2"}));
  for (const auto& record : delivered) {
    const auto& envelope = record.envelope;
    EXPECT_EQ(envelope["eventSource"], "aws:dynamodb");
    EXPECT_EQ(envelope["eventSourceARN"], arn);
    EXPECT_EQ(envelope["dynamodb"]["StreamViewType"], "NEW_AND_OLD_IMAGES");
    // The plain forms, for filters and targets: numbers exact, never through a double.
    const auto& image = envelope.contains("newImage") ? envelope["newImage"] : envelope["oldImage"];
    EXPECT_NE(record.text.find(R"("big":12345678901234567890.123456789,)"), std::string::npos)
        << record.text;
    EXPECT_EQ(image["numbers"][2], "99999999999999999999999999999999999999");
    EXPECT_EQ(envelope["keys"]["pk"], envelope["dynamodb"]["Keys"]["pk"]["S"]);
  }
  EXPECT_FALSE(delivered[0].envelope.contains("oldImage"));
  EXPECT_EQ(delivered[3].envelope["oldImage"]["n"], 1);
  EXPECT_EQ(delivered[3].envelope["newImage"]["n"], 1001);
  EXPECT_EQ(delivered[3].envelope["dynamodb"]["NewImage"]["n"], updated["n"]);
  EXPECT_FALSE(delivered[4].envelope.contains("newImage"));

  // Checkpointed at the last record: a second run delivers nothing new.
  auto checkpoints = t::checkpoints(binary, pipe);
  ASSERT_EQ(checkpoints.size(), 1u);
  EXPECT_EQ(checkpoints.begin()->second, t::sequence_of(delivered.back()));
  auto again = run(pipe);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(t::read_dynamodb_target(dir_ / "out").size(), 5u);
}

TEST_F(DynamoDbStreams, FiveThousandChangesThroughKillsNoneLostNoneTwicePerItemOrderKept) {
  auto arn = t::create_table(endpoint(), "kills");
  auto pipe = t::write_dynamodb_pipe(
      dir_,
      {.endpoint = endpoint(), .stream = arn, .extra_source = "  parallelization_factor: 1\n"});
  t::create_store(binary, pipe);
  // 5,000 changes to 50 items (an INSERT each, then MODIFYs), written while the pipe is killed
  // again and again.
  t::BackgroundProcess writer(
      t::dynamodb_tool_command(endpoint(), {"churn", "kills", "5000", "50"}), dir_ / "writer.log");
  int kills = 0;
  while (kills < 4) {
    auto pipe_process = start(pipe, "run-" + std::to_string(kills) + ".log");
    std::this_thread::sleep_for(std::chrono::milliseconds(1500 + 700 * kills));
    pipe_process->signal(SIGKILL);
    pipe_process->wait_for(10s);
    ++kills;
  }
  ASSERT_EQ(writer.wait_for(240s), 0) << writer.output();
  auto done = run(pipe, "3s");
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto stream = t::stream_by_sequence(endpoint(), arn);
  ASSERT_EQ(stream.size(), 5000u);
  auto delivered = t::read_dynamodb_target(dir_ / "out");
  EXPECT_EQ(t::compare_with_stream(delivered, stream), "");
  EXPECT_EQ(delivered.size(), 5000u);
  // Per item, every change in the order it was made: n rises by 50 from change to change, and
  // each old image is the previous new one.
  std::map<std::string, int> last_n;
  int inserts = 0;
  for (const auto& record : delivered) {
    const auto& envelope = record.envelope;
    std::string pk = envelope["keys"]["pk"];
    int n = envelope["newImage"]["n"];
    if (envelope["eventName"] == "INSERT") {
      ++inserts;
      EXPECT_FALSE(last_n.contains(pk)) << pk;
      EXPECT_LT(n, 50);
    } else {
      EXPECT_EQ(envelope["eventName"], "MODIFY");
      EXPECT_EQ(n, last_n[pk] + 50) << pk;
      EXPECT_EQ(envelope["oldImage"]["n"], last_n[pk]) << pk;
    }
    last_n[pk] = n;
  }
  EXPECT_EQ(inserts, 50);
  std::cout << "changes: 5000, kills: " << kills << ", delivered: " << delivered.size() << "\n";

  // `verify` reads the stream again and finds each change once; then a file gone is named.
  auto [clean_exit, clean] = verify(pipe);
  EXPECT_EQ(clean_exit, 0) << clean.dump();
  EXPECT_EQ(clean["result"], "clean") << clean.dump();
  EXPECT_EQ(clean["totals"]["expected"], 5000);
  EXPECT_EQ(clean["totals"]["inTarget"], 5000);
  auto files = t::file_target_files(dir_ / "out");
  ASSERT_FALSE(files.empty());
  auto text = t::read_file(files.back());
  auto lost = std::count(text.begin(), text.end(), '\n');
  fs::remove(files.back());
  auto [damaged_exit, damaged] = verify(pipe);
  EXPECT_EQ(damaged_exit, 1) << damaged.dump();
  EXPECT_EQ(damaged["totals"]["missing"], lost) << damaged.dump();
  EXPECT_EQ(damaged["totals"]["gaps"], 1) << damaged.dump();
}

TEST_F(DynamoDbStreams, ChangesAfterTwentySecondsOfSilenceAreDelivered) {
  auto arn = t::create_table(endpoint(), "quiet");
  auto pipe = t::write_dynamodb_pipe(dir_, {.endpoint = endpoint(), .stream = arn});
  auto pipe_process = start(pipe, "run.log");
  t::put_items(endpoint(), "quiet", 2, 2);
  ASSERT_TRUE(
      t::wait_until([&] { return t::read_dynamodb_target(dir_ / "out").size() == 2; }, 30s));
  // Twenty seconds of empty pages from an open shard: not its end.
  std::this_thread::sleep_for(20s);
  ASSERT_TRUE(pipe_process->running()) << pipe_process->output();
  t::put_items(endpoint(), "quiet", 3, 3, 100);
  EXPECT_TRUE(
      t::wait_until([&] { return t::read_dynamodb_target(dir_ / "out").size() == 5; }, 30s));
  pipe_process->signal(SIGTERM);
  EXPECT_EQ(pipe_process->wait_for(30s), 0) << pipe_process->output();
  EXPECT_EQ(t::compare_with_stream(t::read_dynamodb_target(dir_ / "out"),
                                   t::stream_by_sequence(endpoint(), arn)),
            "");
}

TEST_F(DynamoDbStreams, EveryStreamViewTypeGivesTheImagesItNames) {
  for (std::string view : {"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"}) {
    SCOPED_TRACE(view);
    std::string table = "view_" + view;
    std::replace(table.begin(), table.end(), '_', '-');
    auto arn = t::create_table(endpoint(), table, view);
    t::put_items(endpoint(), table, 2, 2);
    t::update_item(endpoint(), table, "key-0", "0");
    t::delete_item(endpoint(), table, "key-1", "1");
    fs::path pipe_dir = dir_ / view;
    fs::create_directories(pipe_dir);
    auto pipe = t::write_dynamodb_pipe(pipe_dir, {.endpoint = endpoint(), .stream = arn});
    auto done = run(pipe);
    ASSERT_EQ(done.exit_code, 0) << done.err;
    auto delivered = t::read_dynamodb_target(pipe_dir / "out");
    ASSERT_EQ(delivered.size(), 4u);
    EXPECT_EQ(t::compare_with_stream(delivered, t::stream_by_sequence(endpoint(), arn)), "");
    const bool new_images = view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES";
    const bool old_images = view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES";
    for (const auto& record : delivered) {
      const auto& envelope = record.envelope;
      std::string name = envelope["eventName"];
      EXPECT_EQ(envelope["dynamodb"]["StreamViewType"], view);
      EXPECT_TRUE(envelope.contains("keys"));
      EXPECT_EQ(envelope.contains("newImage"), new_images && name != "REMOVE") << envelope.dump();
      EXPECT_EQ(envelope.contains("oldImage"), old_images && name != "INSERT") << envelope.dump();
      EXPECT_EQ(envelope.contains("newImage"), envelope["dynamodb"].contains("NewImage"));
      EXPECT_EQ(envelope.contains("oldImage"), envelope["dynamodb"].contains("OldImage"));
    }
  }
}

TEST_F(DynamoDbStreams, FiltersMatchEventNamesAndThePlainImages) {
  auto arn = t::create_table(endpoint(), "filtered");
  t::put_items(endpoint(), "filtered", 6, 6);            // flag: true for even sk
  t::update_item(endpoint(), "filtered", "key-1", "1");  // n: 1001
  t::update_item(endpoint(), "filtered", "key-2", "2");  // n: 1002
  t::delete_item(endpoint(), "filtered", "key-3", "3");
  auto pipe = t::write_dynamodb_pipe(dir_, {.endpoint = endpoint(), .stream = arn});
  std::string text = t::read_file(pipe);
  text.replace(text.find("target:"), 7, R"(filter:
  - { eventName: [ "INSERT" ], newImage: { flag: [ true ] } }
  - { eventName: [ "MODIFY" ], newImage: { n: [ { numeric: [ ">", 1001.5 ] } ] } }
  - { dynamodb: { Keys: { pk: { S: [ "key-3" ] } } }, eventName: [ "REMOVE" ] }
target:)");
  t::write_file(pipe, text);
  auto done = run(pipe);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  std::vector<std::string> changes;
  for (const auto& record : t::read_dynamodb_target(dir_ / "out")) {
    changes.push_back(record.envelope["eventName"].get<std::string>() + " " +
                      t::item_of(record.envelope));
  }
  EXPECT_EQ(changes, (std::vector<std::string>{"INSERT key-0/0", "INSERT key-2/2", "INSERT key-4/4",
                                               "MODIFY key-2/2", "REMOVE key-3/3"}));
  // The others were filtered out, and so handled: checkpointed at the last change.
  EXPECT_EQ(t::checkpoints(binary, pipe).begin()->second,
            t::stream_by_sequence(endpoint(), arn).rbegin()->first);
  // `verify` applies the filter again: 9 changes, 5 in the target, 4 filtered out.
  auto [exit_code, report] = verify(pipe);
  EXPECT_EQ(exit_code, 0) << report.dump();
  EXPECT_EQ(report["totals"]["expected"], 9) << report.dump();
  EXPECT_EQ(report["totals"]["inTarget"], 5);
  EXPECT_EQ(report["totals"]["filtered"], 4);
}

TEST_F(DynamoDbStreams, ADisabledStreamIsReadToItsEndAndReported) {
  auto arn = t::create_table(endpoint(), "disabled");
  t::put_items(endpoint(), "disabled", 30, 5);
  t::disable_stream(endpoint(), "disabled");
  auto pipe = t::write_dynamodb_pipe(dir_, {.endpoint = endpoint(), .stream = arn});
  auto done = run(pipe);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_NE(done.err.find("is DISABLED"), std::string::npos) << done.err;
  auto delivered = t::read_dynamodb_target(dir_ / "out");
  EXPECT_EQ(delivered.size(), 30u);
  EXPECT_EQ(t::compare_with_stream(delivered, t::stream_by_sequence(endpoint(), arn)), "");
  // The closed shard is finished as such.
  auto checkpoints = t::checkpoints(binary, pipe);
  ASSERT_EQ(checkpoints.size(), 1u);
  EXPECT_EQ(checkpoints.begin()->second, "SHARD_END");
}

TEST_F(DynamoDbStreams, ATableNameFindsItsStreamAndBadNamesAreClearErrors) {
  auto arn = t::create_table(endpoint(), "by-name");
  t::put_items(endpoint(), "by-name", 4, 2);
  auto pipe = t::write_dynamodb_pipe(dir_, {.endpoint = endpoint(), .stream = "by-name"});
  auto done = run(pipe);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  auto delivered = t::read_dynamodb_target(dir_ / "out");
  ASSERT_EQ(delivered.size(), 4u);
  EXPECT_EQ(delivered[0].envelope["eventSourceARN"], arn);

  auto missing = run(t::write_dynamodb_pipe(dir_, {.endpoint = endpoint(), .stream = "absent"}));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("DynamoDB table absent not found"), std::string::npos) << missing.err;

  t::dynamodb_tool(endpoint(), {"create-table", "no-stream", "--view", "NEW_IMAGE"});
  t::disable_stream(endpoint(), "no-stream");
  auto off = run(t::write_dynamodb_pipe(dir_, {.endpoint = endpoint(), .stream = "no-stream"}));
  EXPECT_NE(off.exit_code, 0);
  EXPECT_NE(off.err.find("has no stream enabled"), std::string::npos) << off.err;

  auto bad_arn = run(t::write_dynamodb_pipe(
      dir_, {.endpoint = endpoint(), .stream = arn.substr(0, arn.size() - 3) + "xyz"}));
  EXPECT_NE(bad_arn.exit_code, 0);
  EXPECT_NE(bad_arn.err.find("not found"), std::string::npos) << bad_arn.err;
}

TEST_F(DynamoDbStreams, LatestSkipsWhatCameBeforeAndKeepsWhatCameAfterARestart) {
  auto arn = t::create_table(endpoint(), "latest");
  t::put_items(endpoint(), "latest", 5, 5);
  auto pipe = t::write_dynamodb_pipe(
      dir_,
      {.endpoint = endpoint(), .stream = arn, .extra_source = "  starting_position: LATEST\n"});
  auto pipe_process = start(pipe, "run.log");
  ASSERT_TRUE(t::wait_until(
      [&] {
        auto checkpoints = t::checkpoints(binary, pipe);
        return !checkpoints.empty() && checkpoints.begin()->second.starts_with("AT_TIMESTAMP=");
      },
      30s));
  std::this_thread::sleep_for(1s);
  t::put_items(endpoint(), "latest", 3, 3, 100);
  ASSERT_TRUE(
      t::wait_until([&] { return t::read_dynamodb_target(dir_ / "out").size() == 3; }, 30s));
  // Killed once the records are checkpointed: a restart starts after them.
  ASSERT_TRUE(t::wait_until(
      [&] { return !t::checkpoints(binary, pipe).begin()->second.starts_with("AT_TIMESTAMP="); },
      30s));
  pipe_process->signal(SIGKILL);
  pipe_process->wait_for(10s);
  // Put while it is down: a restart must not resolve LATEST again and skip them.
  t::put_items(endpoint(), "latest", 2, 2, 200);
  auto done = run(pipe);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  std::vector<int> sks;
  for (const auto& record : t::read_dynamodb_target(dir_ / "out")) {
    sks.push_back(record.envelope["keys"]["sk"]);
  }
  EXPECT_EQ(sks, (std::vector<int>{100, 101, 102, 200, 201}));
}

}  // namespace
}  // namespace shardpipe
