// Poison records (MISSION item 3): data that data_encoding cannot decode goes to the dead
// letters with its provenance and exact bytes, every valid record is delivered, and the pipe
// keeps running; with on_decode_error: fail it stops with a clear error and does not
// checkpoint past the record.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/json_text.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
using shardpipe::testing::fresh_test_dir;
using shardpipe::testing::read_file;
using shardpipe::testing::run_process;
using shardpipe::testing::write_file;

const std::string binary = SHARDPIPE_BINARY;

std::vector<nlohmann::json> read_lines(const fs::path& folder) {
  std::vector<nlohmann::json> lines;
  if (!fs::exists(folder)) return lines;
  for (const auto& file : fs::recursive_directory_iterator(folder)) {
    if (file.path().extension() != ".jsonl") continue;
    std::istringstream text(read_file(file.path()));
    for (std::string line; std::getline(text, line);) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

struct Fixture {
  fs::path dir;
  std::set<std::string> poison;  // the exact bytes of every poison line
  int valid = 0;
};

Fixture make_log(const std::string& name, const std::string& on_decode_error) {
  Fixture fixture;
  fixture.dir = fresh_test_dir(name);
  EXPECT_EQ(run_process({binary, "log", "create", (fixture.dir / "log").string(), "--shards", "2"})
                .exit_code,
            0);
  std::string input;
  for (int i = 0; i < 2000; ++i) {
    std::string line;
    if (i % 100 == 37) {
      line = fmt::format("{{\"id\":{},\"broken\":", i);  // not JSON
    } else if (i % 100 == 71) {
      line = fmt::format("{{\"id\":{},\"name\":\"\xff\xfe\"}}", i);  // not UTF-8
    } else {
      line = fmt::format(R"({{"id":{},"ok":true}})", i);
      ++fixture.valid;
      input += line + "\n";
      continue;
    }
    fixture.poison.insert(line);
    input += line + "\n";
  }
  EXPECT_EQ(run_process({binary, "log", "put", (fixture.dir / "log").string()}, input).exit_code,
            0);
  write_file(fixture.dir / "pipe.yaml", fmt::format(R"(name: poison
source:
  type: local
  path: ./log
  data_encoding: json
  on_decode_error: {}
target:
  type: file
  path: ./out
  records_per_file: 100
dead_letter:
  type: file
  path: ./dlq
)",
                                                    on_decode_error));
  return fixture;
}

TEST(Poison, PoisonRecordsGoToTheDeadLettersAndEveryValidRecordIsDelivered) {
  auto fixture = make_log("poison-dlq", "dead_letter");
  auto run =
      run_process({binary, "run", (fixture.dir / "pipe.yaml").string(), "--stop-when-idle", "1s"});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  auto delivered = read_lines(fixture.dir / "out");
  EXPECT_EQ(delivered.size(), static_cast<size_t>(fixture.valid));
  for (const auto& envelope : delivered) EXPECT_TRUE(envelope["data"]["ok"].get<bool>());

  auto entries = read_lines(fixture.dir / "dlq");
  ASSERT_EQ(entries.size(), fixture.poison.size());
  std::set<std::string> recovered;
  for (const auto& entry : entries) {
    EXPECT_EQ(entry["condition"], "DecodeError");
    EXPECT_EQ(entry["pipe"], "poison");
    EXPECT_EQ(entry["source"]["type"], "local");
    std::string shard = entry["source"]["shardId"];
    std::string sequence = entry["source"]["sequenceNumber"];
    EXPECT_EQ(entry["eventID"], shard + ":" + sequence);
    EXPECT_FALSE(entry["error"]["message"].get<std::string>().empty());
    std::string raw;
    ASSERT_TRUE(base64_decode(entry["record"]["rawData"].get<std::string>(), raw));
    recovered.insert(raw);
  }
  EXPECT_EQ(recovered, fixture.poison) << "the dead letters keep the exact bytes";

  auto status = nlohmann::json::parse(
      run_process({binary, "status", (fixture.dir / "pipe.yaml").string(), "--json"}).out);
  for (const auto& shard : status["shards"]) EXPECT_EQ(shard["recordsBehind"], 0) << shard.dump();
  fs::remove_all(fixture.dir);
}

TEST(Poison, OnDecodeErrorFailStopsWithoutCheckpointingPastThePoison) {
  auto fixture = make_log("poison-fail", "fail");
  auto run =
      run_process({binary, "run", (fixture.dir / "pipe.yaml").string(), "--stop-when-idle", "1s"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("could not be decoded"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("shardId-"), std::string::npos)
      << "the error names the shard: " << run.err;
  EXPECT_TRUE(read_lines(fixture.dir / "dlq").empty());

  auto status = nlohmann::json::parse(
      run_process({binary, "status", (fixture.dir / "pipe.yaml").string(), "--json"}).out);
  int behind = 0;
  for (const auto& shard : status["shards"]) behind += shard["recordsBehind"].get<int>();
  EXPECT_GT(behind, 0) << "the checkpoint must stay before the poison record";

  // The same run again stops at the same place: no record skipped, nothing new delivered.
  auto before = read_lines(fixture.dir / "out").size();
  auto again =
      run_process({binary, "run", (fixture.dir / "pipe.yaml").string(), "--stop-when-idle", "1s"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(read_lines(fixture.dir / "out").size(), before);
  fs::remove_all(fixture.dir);
}

}  // namespace
}  // namespace shardpipe
