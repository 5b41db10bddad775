// maximum_record_age: records retried for longer than the age allows go to the dead letters
// (MaximumRecordAgeExceeded), and the shard moves on. The smallest age the contract allows is
// 60 s, so this test takes a little over a minute.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "delivery_fixture.hpp"

namespace shardpipe::testing {
namespace {

TEST(RecordAge, RecordsPastTheMaximumAgeGoToTheDeadLetters) {
  DeliveryPipe pipe("record-age", 1, {{"status", 503}});
  pipe.write_pipe("{ maximum_record_age: 60s, backoff_initial: 100ms, backoff_max: 2s }");
  std::vector<std::pair<std::string, std::string>> records;
  for (int i = 0; i < 20; ++i) records.emplace_back("key-" + std::to_string(i % 3), "x");
  auto put = pipe.put(records);
  BackgroundProcess running(pipe.run_command(), pipe.dir / "run.log");

  ASSERT_TRUE(wait_until([&] { return dead_letter_entries(pipe.dir / "dlq").size() == 20; },
                         std::chrono::seconds(100)))
      << running.output();
  auto entries = dead_letter_entries(pipe.dir / "dlq");
  std::set<std::string> ids;
  int tried = 0;
  for (const auto& entry : entries) {
    EXPECT_EQ(entry["condition"], "MaximumRecordAgeExceeded");
    // The first batch was tried until it expired; the second expired while it waited.
    if (entry["attempts"].get<int>() >= 1) ++tried;
    ids.insert(entry["eventID"].get<std::string>());
  }
  EXPECT_GE(tried, 10);
  for (const auto& record : put) EXPECT_TRUE(ids.contains(pipe.event_id(record)));
  // Handled, so checkpointed: a restart does not try them again.
  ASSERT_TRUE(wait_until(
      [&] {
        return checkpoints(binary, pipe.pipe_file)[put[0].shard_id] ==
               std::to_string(put.back().sequence);
      },
      std::chrono::seconds(10)));
  running.signal(SIGTERM);
  EXPECT_EQ(running.wait_for(std::chrono::seconds(20)), 0) << running.output();
}

}  // namespace
}  // namespace shardpipe::testing
