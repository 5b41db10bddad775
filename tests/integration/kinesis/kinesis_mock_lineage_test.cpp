// Shard lineage against kinesis-local, which ends a closed shard as AWS does
// ("NextShardIterator": null with ChildShards), where kinesalite leaves the field out: a split
// and a merge while the pipe runs deliver everything once, in key order, parents before children.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>

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

using t::shard;

TEST(KinesisMockLineage, SplitAndMergeWhileRunningDeliverEverythingParentsFirst) {
  auto dir = t::fresh_test_dir("kinesis-mock-lineage");
  t::use_test_credentials();
  auto peer = t::start_kinesis_local(dir);
  auto endpoint = peer.endpoint();
  t::create_stream(endpoint, "orders", 2);
  auto pipe = t::write_kinesis_pipe(dir, {.endpoint = endpoint, .records_per_file = 50});
  t::BackgroundProcess running(
      {binary, "run", pipe.string(), "--worker-id", "w", "--stop-when-idle", "3s"},
      dir / "pipe.log");

  auto put = t::put_records(endpoint, "orders", 300, 20, 0, 50);
  t::kinesis_tool(endpoint, {"split", "orders", shard(0)});  // children 2 and 3
  auto more = t::put_records(endpoint, "orders", 300, 20, 1000, 50);
  put.insert(put.end(), more.begin(), more.end());
  t::kinesis_tool(endpoint, {"merge", "orders", shard(3), shard(1)});  // child 4
  more = t::put_records(endpoint, "orders", 300, 20, 2000, 50);
  put.insert(put.end(), more.begin(), more.end());

  auto exit_code = running.wait_for(120s);
  ASSERT_TRUE(exit_code.has_value()) << running.output();
  ASSERT_EQ(*exit_code, 0) << running.output();
  auto delivered = t::read_kinesis_target(dir / "out");
  EXPECT_EQ(t::exactly_once(put, delivered), "");

  t::expect_order_and_lineage(delivered, t::list_shards(endpoint, "orders"));
  auto checkpoints = t::checkpoints(binary, pipe);
  for (int closed : {0, 1, 3}) EXPECT_EQ(checkpoints[shard(closed)], "SHARD_END") << closed;
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe
