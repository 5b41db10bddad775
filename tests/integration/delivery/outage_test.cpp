// A target outage (HTTP 500 for a while) during which the pipe is killed with SIGKILL and
// restarted: nothing is checkpointed during the outage, and afterwards every record is
// delivered.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "delivery_fixture.hpp"

namespace shardpipe::testing {
namespace {

TEST(TargetOutage, KillsDuringAnOutageLoseNothing) {
  DeliveryPipe pipe("outage", 2, {{"status", 500}});
  pipe.write_pipe("{ backoff_initial: 20ms, backoff_max: 200ms }", /*batch_size=*/50);
  std::vector<std::pair<std::string, std::string>> records;
  for (int i = 0; i < 3000; ++i) records.emplace_back("key-" + std::to_string(i % 97), "x");
  auto put = pipe.put(records);

  for (int kill = 0; kill < 2; ++kill) {
    size_t before = requests_to(*pipe.server, "/batches").size();
    BackgroundProcess running(pipe.run_command(),
                              pipe.dir / ("run-" + std::to_string(kill) + ".log"));
    ASSERT_TRUE(
        wait_until([&] { return requests_to(*pipe.server, "/batches").size() >= before + 6; },
                   std::chrono::seconds(30)))
        << running.output();
    running.signal(SIGKILL);
    running.wait_for(std::chrono::seconds(10));
    for (const auto& [shard, checkpoint] : checkpoints(binary, pipe.pipe_file)) {
      EXPECT_FALSE(is_sequence(checkpoint))
          << shard << " was checkpointed at " << checkpoint << " while nothing was delivered";
    }
  }
  EXPECT_TRUE(acceptance_counts(requests_to(*pipe.server, "/batches")).empty());

  // The outage ends; a third run delivers everything.
  pipe.server->set_script({{"status", 200}});
  auto done = run_until_idle(binary, pipe.pipe_file, "worker-1");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  auto counts = acceptance_counts(requests_to(*pipe.server, "/batches"));
  for (const auto& record : put) {
    EXPECT_GE(counts[pipe.event_id(record)], 1) << pipe.event_id(record) << " was lost";
  }
  EXPECT_EQ(counts.size(), put.size());
  EXPECT_TRUE(dead_letter_entries(pipe.dir / "dlq").empty());
}

}  // namespace
}  // namespace shardpipe::testing
