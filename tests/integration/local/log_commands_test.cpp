// `shardpipe log ...`: describe --json has the Kinesis ListShards shape of CONTRACT section 7
// after a split and a merge; put --verbose prints the shard and sequence of each record; put
// takes any bytes, one record per line, and a pipe with data_encoding: base64 delivers them
// unchanged.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "core/json_text.hpp"
#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using shardpipe::testing::fresh_test_dir;
using shardpipe::testing::run_process_for;
using shardpipe::testing::write_file;
namespace t = shardpipe::testing;
using uint128 = unsigned __int128;

const std::string binary = SHARDPIPE_BINARY;

bool is_decimal(const nlohmann::json& value) {
  return value.is_string() &&
         std::regex_match(value.get<std::string>(), std::regex("0|[1-9][0-9]*"));
}

uint128 to_uint128(const nlohmann::json& value) {
  uint128 result = 0;
  for (char c : value.get<std::string>()) result = result * 10 + static_cast<uint128>(c - '0');
  return result;
}

std::set<std::string> keys_of(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

TEST(LogCommands, DescribeJsonAfterASplitAndAMerge) {
  auto dir = fresh_test_dir("log-describe");
  auto log = (dir / "log").string();
  t::create_log(binary, dir / "log", 2);
  std::vector<std::string> lines;
  for (int i = 0; i < 20; ++i) lines.push_back(fmt::format(R"({{"k":"key-{}"}})", i));
  auto before = t::put_records(binary, dir / "log", lines, {"--partition-key-field", "k"});

  auto split =
      run_process_for(30s, {binary, "log", "split", log, "--shard", "shardId-000000000000"});
  ASSERT_EQ(split.exit_code, 0) << split.err;
  EXPECT_EQ(split.out,
            "split shardId-000000000000 into shardId-000000000002 and shardId-000000000003\n");
  auto after_split = t::put_records(binary, dir / "log", lines, {"--partition-key-field", "k"});
  auto merge = run_process_for(
      30s, {binary, "log", "merge", log, "--shards", "shardId-000000000003,shardId-000000000001"});
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  EXPECT_EQ(merge.out,
            "merged shardId-000000000003,shardId-000000000001 into shardId-000000000004\n");

  auto described = run_process_for(30s, {binary, "log", "describe", log, "--json"});
  ASSERT_EQ(described.exit_code, 0) << described.err;
  auto json = nlohmann::json::parse(described.out);
  ASSERT_EQ(keys_of(json), std::set<std::string>{"shards"}) << json.dump();
  ASSERT_EQ(json["shards"].size(), 5u) << json.dump();

  std::map<std::string, nlohmann::json> by_id;
  for (const auto& shard : json["shards"]) {
    EXPECT_EQ(keys_of(shard),
              (std::set<std::string>{"shardId", "parentShardId", "adjacentParentShardId",
                                     "hashKeyRange", "sequenceNumberRange", "state"}))
        << shard.dump();
    EXPECT_EQ(keys_of(shard["hashKeyRange"]),
              (std::set<std::string>{"startingHashKey", "endingHashKey"}));
    EXPECT_EQ(keys_of(shard["sequenceNumberRange"]),
              (std::set<std::string>{"startingSequenceNumber", "endingSequenceNumber"}));
    EXPECT_TRUE(is_decimal(shard["hashKeyRange"]["startingHashKey"])) << shard.dump();
    EXPECT_TRUE(is_decimal(shard["hashKeyRange"]["endingHashKey"])) << shard.dump();
    EXPECT_TRUE(is_decimal(shard["sequenceNumberRange"]["startingSequenceNumber"])) << shard.dump();
    if (shard["state"] == "open") {
      EXPECT_TRUE(shard["sequenceNumberRange"]["endingSequenceNumber"].is_null())
          << "open end: " << shard.dump();
    } else {
      EXPECT_EQ(shard["state"], "closed") << shard.dump();
      EXPECT_TRUE(is_decimal(shard["sequenceNumberRange"]["endingSequenceNumber"])) << shard.dump();
    }
    for (const char* field : {"parentShardId", "adjacentParentShardId"}) {
      EXPECT_TRUE(shard[field].is_null() || shard[field].is_string()) << shard.dump();
    }
    by_id[shard["shardId"]] = shard;
  }

  auto lineage = [&](const std::string& id) {
    return std::make_tuple(by_id[id]["parentShardId"], by_id[id]["adjacentParentShardId"],
                           by_id[id]["state"]);
  };
  const nlohmann::json null;
  EXPECT_EQ(lineage("shardId-000000000000"), std::make_tuple(null, null, nlohmann::json("closed")));
  EXPECT_EQ(lineage("shardId-000000000001"), std::make_tuple(null, null, nlohmann::json("closed")));
  EXPECT_EQ(lineage("shardId-000000000002"),
            std::make_tuple(nlohmann::json("shardId-000000000000"), null, nlohmann::json("open")));
  EXPECT_EQ(lineage("shardId-000000000003"), std::make_tuple(nlohmann::json("shardId-000000000000"),
                                                             null, nlohmann::json("closed")));
  EXPECT_EQ(lineage("shardId-000000000004"),
            std::make_tuple(nlohmann::json("shardId-000000000003"),
                            nlohmann::json("shardId-000000000001"), nlohmann::json("open")));

  // Hash key ranges: the split children divide their parent's range; the open shards cover the
  // whole key space without gap or overlap.
  auto range = [&](const std::string& id) {
    return std::make_pair(to_uint128(by_id[id]["hashKeyRange"]["startingHashKey"]),
                          to_uint128(by_id[id]["hashKeyRange"]["endingHashKey"]));
  };
  EXPECT_TRUE(range("shardId-000000000002").first == range("shardId-000000000000").first);
  EXPECT_TRUE(range("shardId-000000000002").second + 1 == range("shardId-000000000003").first);
  EXPECT_TRUE(range("shardId-000000000003").second == range("shardId-000000000000").second);
  EXPECT_TRUE(range("shardId-000000000004").first == range("shardId-000000000003").first);
  EXPECT_TRUE(range("shardId-000000000004").second == range("shardId-000000000001").second);
  EXPECT_TRUE(range("shardId-000000000002").first == 0);
  EXPECT_TRUE(range("shardId-000000000002").second + 1 == range("shardId-000000000004").first);
  EXPECT_TRUE(range("shardId-000000000004").second == ~uint128{0});

  // Sequence ranges: a closed shard ends at the last record it holds; children start after it.
  for (const char* id : {"shardId-000000000000", "shardId-000000000001"}) {
    uint64_t last = 0;
    for (const auto& record : t::concat(before, after_split)) {
      if (record.shard_id == id) last = std::max(last, record.sequence);
    }
    EXPECT_EQ(by_id[id]["sequenceNumberRange"]["endingSequenceNumber"], std::to_string(last)) << id;
  }
  auto starting = [&](const std::string& id) {
    return std::stoull(
        by_id[id]["sequenceNumberRange"]["startingSequenceNumber"].get<std::string>());
  };
  auto ending = [&](const std::string& id) {
    return std::stoull(by_id[id]["sequenceNumberRange"]["endingSequenceNumber"].get<std::string>());
  };
  EXPECT_GT(starting("shardId-000000000002"), ending("shardId-000000000000"));
  EXPECT_GT(starting("shardId-000000000004"), ending("shardId-000000000003"));
  EXPECT_GT(starting("shardId-000000000004"), ending("shardId-000000000001"));
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(LogCommands, PutVerbosePrintsShardAndSequencePerRecord) {
  auto dir = fresh_test_dir("log-put-verbose");
  auto log = (dir / "log").string();
  t::create_log(binary, dir / "log", 3);
  auto put = run_process_for(30s, {binary, "log", "put", log, "--verbose"},
                             "one\ntwo\nthree\nfour\nfive (no newline)");
  ASSERT_EQ(put.exit_code, 0) << put.err;
  std::istringstream lines(put.out);
  std::vector<std::pair<std::string, uint64_t>> placed;
  static const std::regex pattern(R"(^(shardId-\d{12}) (\d+)$)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(line, match, pattern)) << line;
    placed.emplace_back(match[1], std::stoull(match[2]));
  }
  ASSERT_EQ(placed.size(), 5u) << "a last line without a newline is a record too\n" << put.out;
  for (size_t i = 1; i < placed.size(); ++i) EXPECT_GT(placed[i].second, placed[i - 1].second);

  // Each record is where --verbose said, with its data.
  const std::vector<std::string> data = {"one", "two", "three", "four", "five (no newline)"};
  for (size_t i = 0; i < placed.size(); ++i) {
    auto got = run_process_for(30s, {binary, "log", "get", log, "--shard", placed[i].first,
                                     "--from", std::to_string(placed[i].second), "--limit", "1"});
    ASSERT_EQ(got.exit_code, 0) << got.err;
    auto record = nlohmann::json::parse(got.out);
    EXPECT_EQ(record["sequenceNumber"], std::to_string(placed[i].second));
    std::string decoded;
    ASSERT_TRUE(base64_decode(record["data"].get<std::string>(), decoded)) << got.out;
    EXPECT_EQ(decoded, data[i]);
  }

  // Without --verbose: a count on stderr and nothing on stdout.
  auto quiet = run_process_for(30s, {binary, "log", "put", log}, "a\nb\n");
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "");
  EXPECT_NE(quiet.err.find("put 2 records"), std::string::npos) << quiet.err;
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(LogCommands, PutTakesAnyBytesAndTheBase64PipeDeliversThemIntact) {
  auto dir = fresh_test_dir("log-put-bytes");
  t::create_log(binary, dir / "log", 4);
  using namespace std::string_literals;
  const std::vector<std::string> lines = {
      R"({"k":"alpha","v":1})",
      "not json {",
      "\xff\xfe\x00raw\x80 bytes"s,  // not UTF-8, with a NUL
      "not json {",                  // the same line again
      "",                            // an empty line is a record with no data
      "carriage return\r",
      R"({"v":"no k field"})",
      R"({"k":42})",
      "\xc3\x28 invalid UTF-8 inside {\"k\":\"beta\"}",
      "[\"a JSON array\"]",
  };
  auto put = t::put_records(binary, dir / "log", lines, {"--partition-key-field", "k"});

  // The same line falls back to the same hash, so the same shard.
  EXPECT_EQ(put[1].shard_id, put[3].shard_id);
  // A JSON line's field is its key: it goes where --partition-key with that key goes.
  auto keyed = t::put_records(binary, dir / "log", {"another line"}, {"--partition-key", "alpha"});
  EXPECT_EQ(put[0].shard_id, keyed[0].shard_id);

  write_file(dir / "pipe.yaml", R"(name: bytes
source:
  type: local
  path: ./log
  data_encoding: base64
target:
  type: file
  path: ./out
checkpoint:
  lease_duration: 1s
)");
  auto ran = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  auto delivered = t::read_file_target(dir / "out");
  // exactly_once compares every delivered record's decoded data with the bytes put.
  EXPECT_EQ(t::exactly_once(t::concat(put, keyed), delivered), "");
  for (const auto& record : delivered) {
    if (record.sequence == put[0].sequence) {
      EXPECT_EQ(record.envelope["partitionKey"], "alpha");
    }
    if (record.sequence == put[7].sequence) {
      EXPECT_EQ(record.envelope["partitionKey"], "42");
    }
    if (record.sequence == put[1].sequence || record.sequence == put[3].sequence) {
      EXPECT_FALSE(record.envelope["partitionKey"].get<std::string>().empty());
    }
  }
  std::set<std::string> keys_of_same_line;
  for (const auto& record : delivered) {
    if (record.sequence == put[1].sequence || record.sequence == put[3].sequence) {
      keys_of_same_line.insert(record.envelope["partitionKey"].get<std::string>());
    }
  }
  EXPECT_EQ(keys_of_same_line.size(), 1u) << "the same line must get the same fallback key";
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe
