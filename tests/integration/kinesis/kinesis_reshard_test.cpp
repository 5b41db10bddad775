// Reshards of a kinesalite stream while the pipe runs and is killed: every record delivered once,
// per-key order kept, no child read before its parents finished; and where child shards start
// (child_shard_position) when no checkpoint covers them.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <random>
#include <set>
#include <thread>

#include "kinesalite_test.hpp"
#include "kinesis_checks.hpp"
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
using t::shard;

class KinesisReshard : public t::KinesaliteTest {
 protected:
  std::unique_ptr<t::BackgroundProcess> start_pipe(const fs::path& pipe, int run,
                                                   const std::string& idle = "3s") {
    return std::make_unique<t::BackgroundProcess>(
        std::vector<std::string>{binary, "run", pipe.string(), "--worker-id", "w",
                                 "--stop-when-idle", idle},
        dir_ / fmt::format("pipe-{}.log", run));
  }
};

TEST_F(KinesisReshard, SplitsAndAMergeUnderLoadWithTwoKillsLoseNothingAndKeepKeyOrder) {
  auto seed = std::random_device{}();
  std::mt19937 random(seed);
  SCOPED_TRACE(fmt::format("seed {}", seed));
  t::create_stream(endpoint(), "orders", 2);
  auto pipe = t::write_kinesis_pipe(dir_, {.endpoint = endpoint()});
  constexpr int phase = 15000, keys = 200;
  auto kill_soon = [&](std::unique_ptr<t::BackgroundProcess>& running) {
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 700));
    running->signal(SIGKILL);
    running->wait_for(10s);
  };

  auto running = start_pipe(pipe, 1);
  auto put = t::put_records(endpoint(), "orders", phase, keys, 0, 500);
  t::kinesis_tool(endpoint(), {"split", "orders", shard(0)});  // children 2 and 3
  put = concat(put, t::put_records(endpoint(), "orders", phase, keys, phase, 500));
  kill_soon(running);
  running = start_pipe(pipe, 2);
  t::kinesis_tool(endpoint(), {"split", "orders", shard(1)});  // children 4 and 5
  put = concat(put, t::put_records(endpoint(), "orders", phase, keys, 2 * phase, 500));
  t::kinesis_tool(endpoint(), {"merge", "orders", shard(3), shard(4)});  // child 6
  kill_soon(running);
  running = start_pipe(pipe, 3);
  put = concat(put, t::put_records(endpoint(), "orders", phase, keys, 3 * phase, 500));
  auto exit_code = running->wait_for(240s);
  ASSERT_TRUE(exit_code.has_value()) << running->output();
  ASSERT_EQ(*exit_code, 0) << running->output();

  auto shards = t::list_shards(endpoint(), "orders");
  ASSERT_EQ(shards.size(), 7u) << shards.dump();
  auto delivered = t::read_kinesis_target(dir_ / "out");
  EXPECT_EQ(t::exactly_once(put, delivered), "");
  t::expect_order_and_lineage(delivered, shards);
  std::set<std::string> folders;
  for (const auto& record : delivered) folders.insert(record.folder);
  EXPECT_TRUE(folders.contains(shard(6))) << "nothing was read from the merged shard";

  auto checkpoints = t::checkpoints(binary, pipe);
  for (int closed : {0, 1, 3, 4}) EXPECT_EQ(checkpoints[shard(closed)], "SHARD_END") << closed;
}

// One shard, read to its end by a first run, then split; records put into the children before
// the next run starts.
struct SplitStream {
  std::vector<t::KinesisPut> before_split, into_children;
};

SplitStream split_after_a_run(const std::string& endpoint, const fs::path& pipe) {
  SplitStream s;
  t::create_stream(endpoint, "orders", 1);
  s.before_split = t::put_records(endpoint, "orders", 300, 20, 0);
  auto first = t::run_until_idle(binary, pipe, "w", "2s");
  if (first.exit_code != 0) throw std::runtime_error("first run failed: " + first.err);
  t::kinesis_tool(endpoint, {"split", "orders", shard(0)});
  s.into_children = t::put_records(endpoint, "orders", 300, 20, 1000);
  return s;
}

TEST_F(KinesisReshard, ChildShardPositionTrimHorizonDeliversEverythingTheChildrenHold) {
  auto pipe = t::write_kinesis_pipe(
      dir_, {.endpoint = endpoint(), .extra_source = "  child_shard_position: TRIM_HORIZON\n"});
  auto s = split_after_a_run(endpoint(), pipe);
  auto ran = t::run_until_idle(binary, pipe, "w", "2s");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(t::exactly_once(concat(s.before_split, s.into_children),
                            t::read_kinesis_target(dir_ / "out")),
            "");
}

TEST_F(KinesisReshard, ChildShardPositionLatestSkipsWhatChildrenHeldWhenFirstSeen) {
  auto pipe = t::write_kinesis_pipe(
      dir_, {.endpoint = endpoint(), .extra_source = "  child_shard_position: LATEST\n"});
  auto s = split_after_a_run(endpoint(), pipe);
  // Idle from the moment the children open until the producer (a node process, slow to start
  // on a busy machine) writes: the pipe must not stop first.
  auto running = start_pipe(pipe, 2, "12s");
  // Once both children are checkpointed at the moment they started, later records count.
  ASSERT_TRUE(t::wait_until(
      [&] {
        auto checkpoints = t::checkpoints(binary, pipe);
        return checkpoints[shard(1)].starts_with("AT_TIMESTAMP=") &&
               checkpoints[shard(2)].starts_with("AT_TIMESTAMP=");
      },
      30s))
      << running->output();
  std::this_thread::sleep_for(1s);
  auto after = t::put_records(endpoint(), "orders", 300, 20, 2000);
  auto exit_code = running->wait_for(60s);
  ASSERT_TRUE(exit_code.has_value()) << running->output();
  EXPECT_EQ(*exit_code, 0) << running->output();
  EXPECT_EQ(t::exactly_once(concat(s.before_split, after), t::read_kinesis_target(dir_ / "out")),
            "");
}

}  // namespace
}  // namespace shardpipe
