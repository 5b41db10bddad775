// parallelization_factor 4 against a target whose latency varies per request: several batches
// of one shard are in flight at once, yet every key's records are applied in the order they
// were put, and a SIGKILL midway loses nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "delivery_fixture.hpp"

namespace shardpipe::testing {
namespace {

constexpr int keys = 100;

struct LanesPipe {
  DeliveryPipe pipe;
  std::vector<PutRecord> put;
  std::map<std::string, std::string> key_of;  // eventID -> key

  // The server answers each batch after a random delay of up to `max_delay_ms`.
  LanesPipe(const std::string& name, int shards, int records, int max_delay_ms = 25)
      : pipe(name, shards, {{"status", 200}, {"delay_ms_random", {0, max_delay_ms}}}) {
    write_file(pipe.pipe_file, fmt::format(R"(name: lanes
source:
  type: local
  path: ./log
  batch_size: 5
  data_encoding: json
  parallelization_factor: 4
target: {{ type: http, url: "{}", timeout: 5s }}
retry: {{ backoff_initial: 20ms, backoff_max: 200ms }}
dead_letter: {{ type: file, path: ./dlq }}
checkpoint: {{ lease_duration: 3s }}
shutdown_timeout: 5s
)",
                                           pipe.server->url("/batches")));
    std::vector<std::pair<std::string, std::string>> key_and_tag;
    for (int i = 0; i < records; ++i) {
      key_and_tag.emplace_back(fmt::format("key-{}", (i * 7919) % keys), "x");
    }
    put = pipe.put(key_and_tag);
    for (size_t i = 0; i < put.size(); ++i) key_of[pipe.event_id(put[i])] = key_and_tag[i].first;
  }

  std::map<std::string, int> accepted() const {
    return acceptance_counts(requests_to(*pipe.server, "/batches"));
  }
};

TEST(ParallelLanes, KeysKeepTheirOrderWhileBatchesOfAShardAreInFlightTogether) {
  LanesPipe lanes("lanes-order", 1, 2000);
  auto done = run_until_idle(binary, lanes.pipe.pipe_file, "worker-1");
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto requests = requests_to(*lanes.pipe.server, "/batches");
  EXPECT_EQ(key_order_violation(lanes.put, requests, lanes.key_of), "");
  auto counts = lanes.accepted();
  EXPECT_EQ(counts.size(), lanes.put.size());
  for (const auto& [id, count] : counts) EXPECT_EQ(count, 1) << id << " was delivered again";
  // Four lanes, four connections of the one shard: the batches really went out side by side.
  std::set<int> connections;
  for (const auto& request : requests) connections.insert(request["client_port"].get<int>());
  EXPECT_GE(connections.size(), 4u);
  // Batches hold records of one lane only: a key never appears in two lanes' batches at once,
  // so each request's keys are disjoint from those of the lanes beside it.
  std::map<std::string, int> connection_of_key;
  for (const auto& request : requests) {
    for (const auto& id : request["event_ids"]) {
      const auto& key = lanes.key_of.at(id.get<std::string>());
      auto [it, inserted] = connection_of_key.emplace(key, request["client_port"].get<int>());
      EXPECT_EQ(it->second, request["client_port"].get<int>()) << key << " moved between lanes";
    }
  }
  EXPECT_EQ(checkpointed_to_the_end(binary, lanes.pipe.pipe_file, lanes.put), "");
}

TEST(ParallelLanes, AKillMidwayLosesNothingAndKeepsEveryKeysOrder) {
  // Slower answers and an early kill: the kill must land mid-stream even when reading the
  // server's log is slow (sanitizer builds).
  LanesPipe lanes("lanes-kill", 2, 3000, 60);
  {
    BackgroundProcess running(lanes.pipe.run_command(), lanes.pipe.dir / "run-1.log");
    ASSERT_TRUE(wait_until([&] { return lanes.accepted().size() >= lanes.put.size() / 4; },
                           std::chrono::seconds(60)))
        << running.output();
    running.signal(SIGKILL);
    running.wait_for(std::chrono::seconds(10));
  }
  auto before_restart = lanes.accepted().size();
  EXPECT_LT(before_restart, lanes.put.size()) << "the kill came too late to test anything";

  // The same worker restarts, as a supervisor would restart it, and takes its leases back at once.
  auto done = run_until_idle(binary, lanes.pipe.pipe_file, "worker-1");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  auto counts = lanes.accepted();
  for (const auto& record : lanes.put) {
    EXPECT_GE(counts[lanes.pipe.event_id(record)], 1) << lanes.pipe.event_id(record) << " lost";
  }
  EXPECT_EQ(counts.size(), lanes.put.size());
  EXPECT_EQ(
      key_order_violation(lanes.put, requests_to(*lanes.pipe.server, "/batches"), lanes.key_of),
      "");
  EXPECT_EQ(checkpointed_to_the_end(binary, lanes.pipe.pipe_file, lanes.put), "");
  EXPECT_TRUE(dead_letter_entries(lanes.pipe.dir / "dlq").empty());
}

}  // namespace
}  // namespace shardpipe::testing
