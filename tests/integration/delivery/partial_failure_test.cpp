// Partial batch failures (CONTRACT section 3): only the failed records are retried, with the
// later records of their keys, and every key's records end up applied in order.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "delivery_fixture.hpp"

namespace shardpipe::testing {
namespace {

using nlohmann::json;

struct PartialCase {
  std::string name;
  std::string identifier;  // eventID | sequenceNumber
};

class PartialFailures : public ::testing::TestWithParam<PartialCase> {};

TEST_P(PartialFailures, AreRetriedAloneAndInKeyOrder) {
  DeliveryPipe pipe("partial-" + GetParam().name, 2,
                    {{"partial_when_data_contains", "retry-me"},
                     {"partial_times", 2},
                     {"partial_identifier", GetParam().identifier}});
  pipe.write_pipe("{ backoff_initial: 10ms, backoff_max: 50ms }", /*batch_size=*/25);
  std::vector<std::pair<std::string, std::string>> records;
  for (int i = 0; i < 1000; ++i) {
    records.emplace_back("key-" + std::to_string(i % 40), i % 37 == 5 ? "retry-me" : "fine");
  }
  auto put = pipe.put(records);
  auto done = run_until_idle(binary, pipe.pipe_file);
  ASSERT_EQ(done.exit_code, 0) << done.err;

  std::map<std::string, std::string> key_of;
  std::set<std::string> keys_with_failures;
  for (size_t i = 0; i < put.size(); ++i) {
    key_of[pipe.event_id(put[i])] = records[i].first;
    if (records[i].second == "retry-me") keys_with_failures.insert(records[i].first);
  }
  auto requests = requests_to(*pipe.server, "/batches");
  auto counts = acceptance_counts(requests);
  std::map<std::string, int> sent;
  for (const auto& request : requests) {
    for (const auto& id : request["event_ids"]) ++sent[id.get<std::string>()];
  }
  for (size_t i = 0; i < put.size(); ++i) {
    std::string id = pipe.event_id(put[i]);
    EXPECT_GE(counts[id], 1) << id << " was never delivered";
    if (records[i].second == "retry-me") {
      EXPECT_EQ(sent[id], 3) << id << " failed twice, so it was sent three times";
    }
    if (!keys_with_failures.contains(records[i].first)) {
      EXPECT_EQ(sent[id], 1) << id << " has no failed record before it and was sent again";
    }
  }
  EXPECT_EQ(key_order_violation(put, requests, key_of), "");
  EXPECT_TRUE(dead_letter_entries(pipe.dir / "dlq").empty());
}

INSTANTIATE_TEST_SUITE_P(ByIdentifier, PartialFailures,
                         ::testing::Values(PartialCase{"event-id", "eventID"},
                                           PartialCase{"sequence", "sequenceNumber"}),
                         [](const auto& info) { return info.param.identifier; });

TEST(PartialFailureAnswers, AnUnknownIdentifierFailsTheWholeBatch) {
  DeliveryPipe pipe("partial-unknown", 1, {{"bad_identifier", true}});
  pipe.write_pipe("{ backoff_initial: 10ms, backoff_max: 50ms }", /*batch_size=*/5);
  auto put = pipe.put({{"a", "x"}, {"b", "x"}, {"c", "x"}});
  BackgroundProcess running(pipe.run_command(), pipe.dir / "run.log");
  ASSERT_TRUE(wait_until([&] { return requests_to(*pipe.server, "/batches").size() >= 3; },
                         std::chrono::seconds(20)));
  // The same batch is sent again and again, and nothing is checkpointed meanwhile.
  for (const auto& request : requests_to(*pipe.server, "/batches")) {
    EXPECT_EQ(request["event_ids"].size(), 3u);
  }
  EXPECT_FALSE(is_sequence(checkpoints(binary, pipe.pipe_file)[put[0].shard_id]));
  pipe.server->set_script({{"status", 200}});
  ASSERT_TRUE(wait_until(
      [&] {
        return checkpoints(binary, pipe.pipe_file)[put[0].shard_id] ==
               std::to_string(put.back().sequence);
      },
      std::chrono::seconds(20)));
  running.signal(SIGTERM);
  EXPECT_EQ(running.wait_for(std::chrono::seconds(20)), 0) << running.output();
}

}  // namespace
}  // namespace shardpipe::testing
