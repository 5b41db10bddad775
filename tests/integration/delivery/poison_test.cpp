// 1% poison records (data that is not JSON, or not UTF-8) among valid ones, into an http target:
// every poison record is in the dead letters with its provenance and exact bytes, every valid
// record is delivered, and the pipe keeps running.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "core/json_text.hpp"
#include "delivery_fixture.hpp"

namespace shardpipe::testing {
namespace {

using nlohmann::json;

TEST(PoisonRecords, GoToTheDeadLettersWhileTheValidOnesAreDelivered) {
  DeliveryPipe pipe("poison-http", 2, {{"status", 200}});
  pipe.write_pipe("{ backoff_initial: 10ms, backoff_max: 50ms }", /*batch_size=*/100);
  std::vector<std::string> lines;
  std::set<std::string> poison_lines;
  for (int i = 0; i < 3000; ++i) {
    std::string line;
    if (i % 100 == 13) {
      line = fmt::format("{{\"k\":\"key-{}\",\"i\":{},\"broken\":", i % 7, i);
    } else if (i % 100 == 88) {
      line = fmt::format("{{\"k\":\"key-{}\",\"i\":{},\"name\":\"\xff\"}}", i % 7, i);
    } else {
      line = json({{"k", "key-" + std::to_string(i % 7)}, {"i", i}}).dump();
    }
    if (i % 100 == 13 || i % 100 == 88) poison_lines.insert(line);
    lines.push_back(line);
  }
  auto put = put_records(binary, pipe.log, lines);
  BackgroundProcess running(pipe.run_command(), pipe.dir / "run.log");

  ASSERT_TRUE(wait_until(
      [&] {
        return dead_letter_entries(pipe.dir / "dlq").size() == poison_lines.size() &&
               acceptance_counts(requests_to(*pipe.server, "/batches")).size() ==
                   put.size() - poison_lines.size();
      },
      std::chrono::seconds(60)))
      << running.output();
  EXPECT_TRUE(running.running()) << "the pipe must keep running";

  std::map<std::string, const PutRecord*> by_id;
  for (const auto& record : put) by_id[pipe.event_id(record)] = &record;
  for (const auto& entry : dead_letter_entries(pipe.dir / "dlq")) {
    EXPECT_EQ(entry["condition"], "DecodeError");
    auto id = entry["eventID"].get<std::string>();
    ASSERT_TRUE(by_id.contains(id)) << id;
    EXPECT_EQ(entry["source"]["shardId"], by_id[id]->shard_id);
    EXPECT_EQ(entry["source"]["sequenceNumber"], std::to_string(by_id[id]->sequence));
    std::string raw;
    ASSERT_TRUE(base64_decode(entry["record"]["rawData"].get<std::string>(), raw));
    EXPECT_TRUE(poison_lines.contains(raw)) << raw;
  }
  running.signal(SIGTERM);
  EXPECT_EQ(running.wait_for(std::chrono::seconds(20)), 0) << running.output();
}

}  // namespace
}  // namespace shardpipe::testing
