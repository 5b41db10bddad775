// An unreachable dead-letter destination: the record waits for it, nothing is checkpointed past
// it (not even across a SIGKILL), and once the destination answers the entry is written and
// the shard moves on.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "delivery_fixture.hpp"

namespace shardpipe::testing {
namespace {

using nlohmann::json;

TEST(DeadLetterOutage, NothingIsCheckpointedPastARecordOnItsWayToTheDeadLetters) {
  DeliveryPipe pipe("dead-letter-outage", 1,
                    {{"paths",
                      {{"/batches", {{"fail_when_data_contains", "poison"}, {"fail_status", 400}}},
                       {"/dlq", {{"status", 503}}}}}});
  pipe.write_pipe(
      "{ maximum_retry_attempts: 0, bisect_batch_on_error: true, "
      "backoff_initial: 20ms, backoff_max: 200ms }",
      /*batch_size=*/10, fmt::format("{{ type: http, url: \"{}\" }}", pipe.server->url("/dlq")));
  std::vector<std::pair<std::string, std::string>> records;
  for (int i = 0; i < 60; ++i) {
    records.emplace_back("key-" + std::to_string(i % 5), i == 25 ? "poison" : "fine");
  }
  auto put = pipe.put(records);
  const std::string poison_id = pipe.event_id(put[25]);
  const std::string shard = put[0].shard_id;

  auto checkpoint_before_poison = [&] {
    auto checkpoint = checkpoints(binary, pipe.pipe_file)[shard];
    return !is_sequence(checkpoint) || std::stoull(checkpoint) < put[25].sequence;
  };
  for (int run = 0; run < 2; ++run) {
    size_t before = requests_to(*pipe.server, "/dlq").size();
    BackgroundProcess running(pipe.run_command(),
                              pipe.dir / ("run-" + std::to_string(run) + ".log"));
    ASSERT_TRUE(wait_until([&] { return requests_to(*pipe.server, "/dlq").size() >= before + 4; },
                           std::chrono::seconds(30)))
        << running.output();
    // The shard waits on the dead letters: the checkpoint (coalesced every second) stays below.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_TRUE(checkpoint_before_poison()) << checkpoints(binary, pipe.pipe_file)[shard];
    running.signal(SIGKILL);
    running.wait_for(std::chrono::seconds(10));
    EXPECT_TRUE(checkpoint_before_poison());
  }

  pipe.server->set_script(
      {{"paths",
        {{"/batches", {{"fail_when_data_contains", "poison"}, {"fail_status", 400}}},
         {"/dlq", {{"status", 200}}}}}});
  auto done = run_until_idle(binary, pipe.pipe_file, "worker-1");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  // The entry arrived, with its provenance, and everything else was delivered.
  bool entry_written = false;
  for (const auto& request : requests_to(*pipe.server, "/dlq")) {
    if (request["status"] != 200) continue;
    for (const auto& entry : request["body"]) {
      EXPECT_EQ(entry["eventID"], poison_id);
      EXPECT_EQ(entry["condition"], "RetryAttemptsExhausted");
      EXPECT_EQ(entry["error"]["statusCode"], 400);
      EXPECT_EQ(entry["source"]["sequenceNumber"], std::to_string(put[25].sequence));
      entry_written = true;
    }
  }
  EXPECT_TRUE(entry_written);
  auto counts = acceptance_counts(requests_to(*pipe.server, "/batches"));
  for (const auto& record : put) {
    if (pipe.event_id(record) != poison_id) {
      EXPECT_GE(counts[pipe.event_id(record)], 1);
    }
  }
  EXPECT_EQ(checkpoints(binary, pipe.pipe_file)[shard], std::to_string(put.back().sequence));
}

}  // namespace
}  // namespace shardpipe::testing
