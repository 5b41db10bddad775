// A record that always fails: bisection isolates it, its neighbours are delivered, and it ends
// in the dead letters after maximum_retry_attempts; `dlq list` shows it and `dlq replay` sends
// it once the target is fixed. A permanent error with unlimited retries does not block.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "delivery_fixture.hpp"

namespace shardpipe::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::vector<std::pair<std::string, std::string>> records_with_poison_at(int count,
                                                                        std::set<int> poison) {
  std::vector<std::pair<std::string, std::string>> records;
  for (int i = 0; i < count; ++i) {
    records.emplace_back("key-" + std::to_string(i % 17), poison.contains(i) ? "poison" : "fine");
  }
  return records;
}

TEST(RetryLimits, BisectionIsolatesAFailingRecordThatEndsInTheDeadLetters) {
  DeliveryPipe pipe("bisect-isolates", 1,
                    {{"fail_when_data_contains", "poison"}, {"fail_status", 500}});
  pipe.write_pipe(
      "{ maximum_retry_attempts: 2, bisect_batch_on_error: true, backoff_initial: 10ms, "
      "backoff_max: 50ms }",
      /*batch_size=*/20);
  auto put = pipe.put(records_with_poison_at(200, {33, 150}));
  auto done = run_until_idle(binary, pipe.pipe_file);
  ASSERT_EQ(done.exit_code, 0) << done.err;

  std::set<std::string> poison = {pipe.event_id(put[33]), pipe.event_id(put[150])};
  auto counts = acceptance_counts(requests_to(*pipe.server, "/batches"));
  for (const auto& record : put) {
    std::string id = pipe.event_id(record);
    if (poison.contains(id)) {
      EXPECT_EQ(counts[id], 0) << id;
    } else {
      EXPECT_GE(counts[id], 1) << id << " (a neighbour of a failing record) was not delivered";
    }
  }
  auto entries = dead_letter_entries(pipe.dir / "dlq");
  ASSERT_EQ(entries.size(), 2u);
  for (const auto& entry : entries) {
    EXPECT_TRUE(poison.contains(entry["eventID"].get<std::string>())) << entry.dump();
    EXPECT_EQ(entry["condition"], "RetryAttemptsExhausted");
    EXPECT_EQ(entry["attempts"], 3) << "the first attempt alone and two retries";
    EXPECT_EQ(entry["error"]["statusCode"], 500);
    EXPECT_EQ(entry["source"]["shardId"], put[0].shard_id);
    EXPECT_EQ(entry["record"]["data"]["tag"], "poison");
  }
  // Everything is handled, so the checkpoint reached the last record.
  EXPECT_EQ(checkpoints(binary, pipe.pipe_file)[put[0].shard_id],
            std::to_string(put.back().sequence));

  // dlq list shows both; once the target accepts them, dlq replay delivers and removes them.
  auto listed = run_process({binary, "dlq", "list", pipe.pipe_file.string()});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  for (const auto& id : poison) EXPECT_THAT(listed.out, HasSubstr(id));
  EXPECT_THAT(listed.out, HasSubstr("RetryAttemptsExhausted"));
  EXPECT_THAT(listed.out, HasSubstr("2 dead letters"));

  pipe.server->set_script({{"status", 200}});
  auto replayed = run_process(
      {binary, "dlq", "replay", pipe.pipe_file.string(), "--event-id", pipe.event_id(put[33])});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr("1 delivered and removed, 0 kept"));
  entries = dead_letter_entries(pipe.dir / "dlq");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["eventID"], pipe.event_id(put[150]));
  replayed = run_process({binary, "dlq", "replay", pipe.pipe_file.string()});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_TRUE(dead_letter_entries(pipe.dir / "dlq").empty());
  counts = acceptance_counts(requests_to(*pipe.server, "/batches"));
  for (const auto& id : poison) EXPECT_EQ(counts[id], 1) << id << " was replayed once";
}

TEST(RetryLimits, AReplayThatFailsAgainKeepsTheEntry) {
  DeliveryPipe pipe("replay-fails", 1,
                    {{"fail_when_data_contains", "poison"}, {"fail_status", 400}});
  pipe.write_pipe(
      "{ maximum_retry_attempts: 0, bisect_batch_on_error: true, backoff_initial: 10ms, "
      "backoff_max: 20ms }");
  auto put = pipe.put(records_with_poison_at(5, {2}));
  ASSERT_EQ(run_until_idle(binary, pipe.pipe_file).exit_code, 0);
  ASSERT_EQ(dead_letter_entries(pipe.dir / "dlq").size(), 1u);
  auto replayed = run_process({binary, "dlq", "replay", pipe.pipe_file.string()});
  EXPECT_EQ(replayed.exit_code, 1);
  EXPECT_THAT(replayed.err, HasSubstr(pipe.event_id(put[2]) + ": kept"));
  EXPECT_EQ(dead_letter_entries(pipe.dir / "dlq").size(), 1u);
  auto unknown =
      run_process({binary, "dlq", "replay", pipe.pipe_file.string(), "--event-id", "shardId-9:1"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("shardId-9:1: no such dead letter"));
}

TEST(RetryLimits, APermanentErrorIsDeadLetteredAtOnceWhenRetriesAreUnlimited) {
  DeliveryPipe pipe("permanent-error", 1,
                    {{"fail_when_data_contains", "poison"}, {"fail_status", 422}});
  pipe.write_pipe("{ bisect_batch_on_error: true, backoff_initial: 10ms, backoff_max: 50ms }");
  auto put = pipe.put(records_with_poison_at(40, {7}));
  auto done = run_until_idle(binary, pipe.pipe_file);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  auto entries = dead_letter_entries(pipe.dir / "dlq");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["eventID"], pipe.event_id(put[7]));
  EXPECT_EQ(entries[0]["attempts"], 1);
  EXPECT_EQ(entries[0]["error"]["statusCode"], 422);
  EXPECT_EQ(acceptance_counts(requests_to(*pipe.server, "/batches")).size(), 39u);
}

TEST(RetryLimits, WithoutDeadLettersAPermanentFailureStopsThePipeAndHoldsTheCheckpoint) {
  DeliveryPipe pipe("no-dead-letters", 1,
                    {{"fail_when_data_contains", "poison"}, {"fail_status", 400}});
  write_file(pipe.pipe_file, fmt::format(R"(name: delivery
source: {{ type: local, path: ./log, batch_size: 1, data_encoding: json, on_decode_error: fail }}
target: {{ type: http, url: "{}" }}
retry: {{ backoff_initial: 10ms, backoff_max: 50ms }}
)",
                                         pipe.server->url("/batches")));
  auto put = pipe.put(records_with_poison_at(10, {4}));
  auto done = run_until_idle(binary, pipe.pipe_file);
  EXPECT_EQ(done.exit_code, 1);
  EXPECT_THAT(done.err, HasSubstr("record " + std::to_string(put[4].sequence)));
  EXPECT_THAT(done.err, HasSubstr("no dead_letter section"));
  auto checkpoint = checkpoints(binary, pipe.pipe_file)[put[0].shard_id];
  ASSERT_TRUE(is_sequence(checkpoint)) << checkpoint;
  EXPECT_EQ(std::stoull(checkpoint), put[3].sequence) << "the checkpoint stays before the record";
}

}  // namespace
}  // namespace shardpipe::testing
