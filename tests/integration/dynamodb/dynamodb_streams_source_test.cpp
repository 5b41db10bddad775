// The DynamoDB Streams source against DynamoDB Local, with the AWS SDK for JavaScript writing the
// items and reading the stream independently: exactly the changes made, in order per item, as the
// service sent them; kills; silence; every stream view type; a disabled stream; start positions;
// the errors an operator sees.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <set>
#include <thread>

#include "dynamodb_peer.hpp"
#include "dynamodb_streams_pipe.hpp"
#include "local_pipe.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
namespace t = shardpipe::testing;
using namespace std::chrono_literals;

const std::string binary = SHARDPIPE_BINARY;

// One DynamoDB Local for the suite (it takes seconds to start); a table of its own per test.
class DynamoDbStreams : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDSHARDPIPETEST", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "test-secret", 1);
    ::unsetenv("AWS_SESSION_TOKEN");
    ::setenv("AWS_REGION", "us-east-1", 1);
    server_dir_ = new fs::path(t::fresh_test_dir("dynamodb-streams-server"));
    server_ = new t::DynamoDbLocal(*server_dir_);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete server_dir_;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    dir_ = t::fresh_test_dir(
        "ddb-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  static std::string endpoint() { return server_->endpoint(); }
  t::Completed run(const fs::path& pipe, const std::string& idle = "2s") {
    return t::run_until_idle(binary, pipe, "test-worker", idle);
  }
  // Starts the pipe in the background until killed or stopped.
  std::unique_ptr<t::BackgroundProcess> start(const fs::path& pipe, const std::string& log) {
    return std::make_unique<t::BackgroundProcess>(
        std::vector<std::string>{binary, "run", pipe.string(), "--worker-id", "test-worker"},
        dir_ / log);
  }

  static t::DynamoDbLocal* server_;
  static fs::path* server_dir_;
  fs::path dir_;
};
t::DynamoDbLocal* DynamoDbStreams::server_ = nullptr;
fs::path* DynamoDbStreams::server_dir_ = nullptr;

// The records the stream holds, read by the independent client, by sequence number.
std::map<std::string, nlohmann::json> stream_by_sequence(const std::string& endpoint,
                                                         const std::string& arn) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& record : t::stream_records(endpoint, arn)) {
    out[record.json["dynamodb"]["SequenceNumber"]] = record.json;
  }
  return out;
}

std::string sequence_of(const t::DynamoDbDelivered& record) {
  return record.envelope.at("dynamodb").at("SequenceNumber");
}

// Problems with `delivered` against what the stream holds: each record exactly once, as sent,
// in the stream's order within its shard.
std::string compare_with_stream(const std::vector<t::DynamoDbDelivered>& delivered,
                                const std::map<std::string, nlohmann::json>& stream) {
  std::string problems;
  std::map<std::string, int> seen;
  std::string previous;
  for (const auto& record : delivered) {
    std::string sequence = sequence_of(record);
    if (++seen[sequence] == 2) problems += "duplicated " + sequence + "\n";
    auto found = stream.find(sequence);
    if (found == stream.end()) {
      problems += "unexpected " + sequence + "\n";
    } else if (t::as_sent(record.envelope) != found->second) {
      problems += "altered " + sequence + ": " + record.envelope.dump() + "\n";
    }
    // One shard here: sequence numbers of equal length rise.
    if (!previous.empty() && sequence <= previous) {
      problems += "out of order: " + sequence + " after " + previous + "\n";
    }
    previous = sequence;
  }
  for (const auto& [sequence, record] : stream) {
    if (!seen.contains(sequence)) problems += "missing " + sequence + "\n";
  }
  return problems;
}

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
  EXPECT_EQ(compare_with_stream(delivered, stream_by_sequence(endpoint(), arn)), "");

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
  EXPECT_EQ(checkpoints.begin()->second, sequence_of(delivered.back()));
  auto again = run(pipe);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(t::read_dynamodb_target(dir_ / "out").size(), 5u);
}

TEST_F(DynamoDbStreams, FiveThousandChangesThroughKillsNoneLostNoneTwicePerItemOrderKept) {
  auto arn = t::create_table(endpoint(), "kills");
  auto pipe = t::write_dynamodb_pipe(dir_, {.endpoint = endpoint(), .stream = arn});
  t::create_store(binary, pipe);
  // The writer runs while the pipe is killed, again and again.
  t::BackgroundProcess writer(t::dynamodb_tool_command(endpoint(), {"put", "kills", "5000", "50"}),
                              dir_ / "writer.log");
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

  auto stream = stream_by_sequence(endpoint(), arn);
  ASSERT_EQ(stream.size(), 5000u);
  auto delivered = t::read_dynamodb_target(dir_ / "out");
  EXPECT_EQ(compare_with_stream(delivered, stream), "");
  EXPECT_EQ(delivered.size(), 5000u);
  // Per item (here per partition key, whose sort keys rise), in the order they were written.
  std::map<std::string, int> last_sk;
  for (const auto& record : delivered) {
    std::string pk = record.envelope["keys"]["pk"];
    int sk = record.envelope["keys"]["sk"];
    EXPECT_GT(sk, last_sk.contains(pk) ? last_sk[pk] : -1) << pk;
    last_sk[pk] = sk;
  }
  std::cout << "records: 5000, kills: " << kills << ", delivered: " << delivered.size() << "\n";
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
  EXPECT_EQ(compare_with_stream(t::read_dynamodb_target(dir_ / "out"),
                                stream_by_sequence(endpoint(), arn)),
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
    EXPECT_EQ(compare_with_stream(delivered, stream_by_sequence(endpoint(), arn)), "");
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
  EXPECT_EQ(compare_with_stream(delivered, stream_by_sequence(endpoint(), arn)), "");
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
