// `status` counts the dead letters of each shard (and in all) for a file destination, the way
// `dlq list` finds them, and says it cannot for destinations that cannot be read back.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace t = shardpipe::testing;
namespace fs = std::filesystem;

const std::string binary = SHARDPIPE_BINARY;

// shard id -> entries, read from the dead-letter files themselves.
std::map<std::string, int> entries_per_shard(const fs::path& folder) {
  std::map<std::string, int> counts;
  for (const auto& file : fs::directory_iterator(folder)) {
    std::istringstream text(t::read_file(file.path()));
    for (std::string line; std::getline(text, line);) {
      counts[nlohmann::json::parse(line)["source"]["shardId"].get<std::string>()]++;
    }
  }
  return counts;
}

TEST(StatusDeadLetters, StatusCountsPoisonRecordsPerShardAndInAll) {
  auto dir = t::fresh_test_dir("status-dead-letters");
  t::create_log(binary, dir / "log", 3);
  std::string input;
  int poison = 0;
  for (int i = 0; i < 600; ++i) {
    if (i % 20 == 7) {
      input += fmt::format("{{\"id\":{},\"broken\":\n", i);  // not JSON: a DecodeError
      ++poison;
    } else {
      input += fmt::format("{{\"id\":{}}}\n", i);
    }
  }
  ASSERT_EQ(t::run_process({binary, "log", "put", (dir / "log").string()}, input).exit_code, 0);
  t::write_file(dir / "pipe.yaml", R"(name: counted
source: { type: local, path: ./log, data_encoding: json }
target: { type: file, path: ./out }
dead_letter: { type: file, path: ./dlq }
metrics: { listen: "off" }
)");

  // Before any run: no dead letters yet (the folder does not exist), zero everywhere.
  auto before = t::status_json(binary, dir / "pipe.yaml");
  EXPECT_EQ(before["deadLettersTotal"], 0) << before.dump();
  for (const auto& shard : before["shards"]) EXPECT_EQ(shard["deadLetters"], 0) << before.dump();

  auto ran = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  auto expected = entries_per_shard(dir / "dlq");
  int expected_total = 0;
  for (const auto& [shard, count] : expected) expected_total += count;
  ASSERT_EQ(expected_total, poison);
  ASSERT_GE(expected.size(), 2u) << "poison records landed in several shards";

  auto status = t::status_json(binary, dir / "pipe.yaml");
  EXPECT_EQ(status["deadLettersTotal"], poison) << status.dump();
  ASSERT_EQ(status["shards"].size(), 3u);
  for (const auto& shard : status["shards"]) {
    auto id = shard["shardId"].get<std::string>();
    EXPECT_EQ(shard["deadLetters"], expected.contains(id) ? expected[id] : 0) << status.dump();
    // The contract's fields are all still there.
    for (const char* key : {"shardId", "parentShardIds", "state", "leaseOwner", "leaseCounter",
                            "checkpoint", "recordsBehind", "millisBehind"}) {
      EXPECT_TRUE(shard.contains(key)) << key << " " << status.dump();
    }
    EXPECT_EQ(shard["recordsBehind"], 0) << status.dump();
  }
  EXPECT_EQ(status["pipe"], "counted");

  // The table has a column and a total.
  auto table = t::run_process({binary, "status", (dir / "pipe.yaml").string()});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("DEAD LETTERS"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(fmt::format("dead letters: {}\n", poison)), std::string::npos)
      << table.out;

  // A line that is not an entry and a partial last line (a crash mid-write) are not counted,
  // as `dlq list` does not list them.
  auto first = expected.begin()->first;
  {
    std::string text = t::read_file(dir / "dlq" / (first + ".jsonl"));
    text += "not an entry\n{\"version\":\"1\",\"eventID\":\"x\",\"rec";
    t::write_file(dir / "dlq" / (first + ".jsonl"), text);
  }
  auto damaged = t::status_json(binary, dir / "pipe.yaml");
  EXPECT_EQ(damaged["deadLettersTotal"], poison) << damaged.dump();
  auto listed = t::run_process({binary, "dlq", "list", (dir / "pipe.yaml").string(), "--json"});
  std::istringstream lines(listed.out);
  int listed_count = 0;
  for (std::string line; std::getline(lines, line);) ++listed_count;
  EXPECT_EQ(listed_count, poison);

  EXPECT_EQ(damaged["shards"], status["shards"]);
}

TEST(StatusDeadLetters, DestinationsThatCannotBeReadBackShowNull) {
  auto dir = t::fresh_test_dir("status-dead-letters-null");
  t::create_log(binary, dir / "log", 2);
  t::write_file(dir / "http.yaml", R"(name: remote
source: { type: local, path: ./log }
target: { type: file, path: ./out }
dead_letter: { type: http, url: "http://127.0.0.1:9/dlq" }
metrics: { listen: "off" }
)");
  auto status = t::status_json(binary, dir / "http.yaml");
  EXPECT_TRUE(status.contains("deadLettersTotal") && status["deadLettersTotal"].is_null())
      << status.dump();
  ASSERT_EQ(status["shards"].size(), 2u);
  for (const auto& shard : status["shards"]) {
    EXPECT_TRUE(shard.contains("deadLetters") && shard["deadLetters"].is_null()) << status.dump();
  }
  auto table = t::run_process({binary, "status", (dir / "http.yaml").string()});
  EXPECT_NE(table.out.find("dead letters: n/a (http destination)\n"), std::string::npos)
      << table.out;

  t::write_file(dir / "none.yaml", R"(name: plain
source: { type: local, path: ./log }
target: { type: file, path: ./out }
metrics: { listen: "off" }
)");
  auto none = t::status_json(binary, dir / "none.yaml");
  EXPECT_TRUE(none["deadLettersTotal"].is_null()) << none.dump();
  for (const auto& shard : none["shards"]) EXPECT_TRUE(shard["deadLetters"].is_null());
}

}  // namespace
}  // namespace shardpipe
