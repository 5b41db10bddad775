// `shardpipe verify` against a real run: a clean pipe verifies clean with counts that add up; a
// deleted target file shows as the exact ranges it held; a copied file shows as duplicates; pipes
// whose output cannot be read back are refused with exit status 2.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
namespace t = shardpipe::testing;
using nlohmann::json;

const std::string binary = SHARDPIPE_BINARY;

struct Ran {
  fs::path dir;
  int records = 0;
  int open_orders = 0;  // dropped by the filter
  int poison = 0;       // not JSON: dead-lettered
  int paid = 0;         // delivered
};

std::string pipe_file(int parallelization_factor) {
  return fmt::format(R"(name: verified
source:
  type: local
  path: ./log
  data_encoding: json
  parallelization_factor: {}
filter:
  - {{ data: {{ status: [paid] }} }}
target:
  type: file
  path: ./out
  records_per_file: 40
dead_letter:
  type: file
  path: ./dlq
)",
                     parallelization_factor);
}

// Three shards, 600 orders of which every fourth is filtered out, 7 lines that are not JSON; run
// until idle.
Ran run_pipe(const std::string& name) {
  Ran ran;
  ran.dir = t::fresh_test_dir(name);
  t::create_log(binary, ran.dir / "log", 3);
  std::vector<std::string> lines;
  for (int i = 0; i < 600; ++i) {
    bool open = i % 4 == 0;
    lines.push_back(
        json({{"k", fmt::format("key-{}", i % 37)}, {"status", open ? "open" : "paid"}, {"n", i}})
            .dump());
    (open ? ran.open_orders : ran.paid)++;
    if (i % 90 == 5) {
      lines.push_back(fmt::format("{{\"k\":\"key-{}\",\"broken\":", i));
      ++ran.poison;
    }
  }
  ran.records = static_cast<int>(lines.size());
  t::put_records(binary, ran.dir / "log", lines, {"--partition-key-field", "k"});
  t::write_file(ran.dir / "pipe.yaml", pipe_file(1));
  auto run = t::run_until_idle(binary, ran.dir / "pipe.yaml");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return ran;
}

t::Completed verify(const fs::path& pipe, bool as_json) {
  std::vector<std::string> argv = {binary, "verify", pipe.string()};
  if (as_json) argv.push_back("--json");
  return t::run_process_for(std::chrono::seconds(60), argv);
}

std::vector<uint64_t> sequences_in(const fs::path& file) {
  std::vector<uint64_t> sequences;
  std::istringstream text(t::read_file(file));
  for (std::string line; std::getline(text, line);) {
    sequences.push_back(std::stoull(json::parse(line)["sequenceNumber"].get<std::string>()));
  }
  return sequences;
}

std::set<uint64_t> dead_lettered(const fs::path& dlq, const std::string& shard) {
  std::set<uint64_t> sequences;
  if (!fs::exists(dlq)) return sequences;
  for (const auto& file : fs::directory_iterator(dlq)) {
    std::istringstream text(t::read_file(file.path()));
    for (std::string line; std::getline(text, line);) {
      auto entry = json::parse(line);
      if (entry["source"]["shardId"] == shard) {
        sequences.insert(std::stoull(entry["source"]["sequenceNumber"].get<std::string>()));
      }
    }
  }
  return sequences;
}

// The shard folder with the most files, and its first file (whichever holds most is fine).
std::pair<std::string, fs::path> some_target_file(const fs::path& out) {
  std::string best_shard;
  std::vector<fs::path> best;
  for (const auto& shard : fs::directory_iterator(out)) {
    std::vector<fs::path> files;
    for (const auto& file : fs::directory_iterator(shard.path())) files.push_back(file.path());
    if (files.size() > best.size()) {
      best = files;
      best_shard = shard.path().filename().string();
    }
  }
  std::ranges::sort(best);
  EXPECT_GE(best.size(), 2u);
  return {best_shard, best.at(best.size() / 2)};
}

TEST(Verify, ACorrectRunIsCleanAndItsCountsAddUp) {
  auto ran = run_pipe("verify-clean");
  auto checked = verify(ran.dir / "pipe.yaml", true);
  ASSERT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  auto report = json::parse(checked.out);
  EXPECT_EQ(report["result"], "clean");
  EXPECT_EQ(report["pipe"], "verified");
  const auto& totals = report["totals"];
  EXPECT_EQ(totals["expected"], ran.records);
  EXPECT_EQ(totals["inTarget"], ran.paid);
  EXPECT_EQ(totals["filtered"], ran.open_orders);
  EXPECT_EQ(totals["deadLettered"], ran.poison);
  EXPECT_EQ(totals["missing"], 0);
  EXPECT_EQ(totals["duplicates"], 0);
  EXPECT_EQ(totals["unexpected"], 0);
  EXPECT_EQ(report["shards"].size(), 3u);
  for (const auto& shard : report["shards"]) {
    EXPECT_EQ(shard["expected"].get<int>(),
              shard["inTarget"].get<int>() + shard["deadLettered"].get<int>() +
                  shard["filtered"].get<int>() + shard["missing"].get<int>())
        << shard.dump();
  }

  auto text = verify(ran.dir / "pipe.yaml", false);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("result: clean"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("TOTAL"), std::string::npos) << text.out;
  if (!HasFailure()) fs::remove_all(ran.dir);
}

TEST(Verify, ADeletedTargetFileIsReportedAsItsExactRanges) {
  auto ran = run_pipe("verify-gap");
  auto [shard, file] = some_target_file(ran.dir / "out");
  auto lost = sequences_in(file);
  fs::remove(file);

  // The lost records are consecutive among the shard's delivered ones; only a dead-lettered
  // record between two of them (it is found, elsewhere) splits the range.
  auto dlq = dead_lettered(ran.dir / "dlq", shard);
  std::vector<json> ranges;
  size_t begin = 0;
  for (size_t i = 1; i <= lost.size(); ++i) {
    bool split = i == lost.size() || std::any_of(dlq.begin(), dlq.end(), [&](uint64_t s) {
                   return s > lost[i - 1] && s < lost[i];
                 });
    if (!split) continue;
    ranges.push_back({{"first", std::to_string(lost[begin])},
                      {"last", std::to_string(lost[i - 1])},
                      {"records", i - begin}});
    begin = i;
  }

  auto checked = verify(ran.dir / "pipe.yaml", true);
  EXPECT_EQ(checked.exit_code, 1) << checked.out << checked.err;
  auto report = json::parse(checked.out);
  EXPECT_EQ(report["result"], "failed");
  EXPECT_EQ(report["totals"]["missing"], lost.size());
  for (const auto& entry : report["shards"]) {
    if (entry["shardId"] != shard) {
      EXPECT_EQ(entry["missing"], 0) << entry.dump();
      continue;
    }
    EXPECT_EQ(entry["gaps"]["count"], ranges.size());
    EXPECT_EQ(entry["gaps"]["ranges"], json(ranges)) << entry.dump();
  }

  auto text = verify(ran.dir / "pipe.yaml", false);
  EXPECT_EQ(text.exit_code, 1);
  const auto& first = ranges.front();
  size_t count = first["records"].get<size_t>();
  std::string expected_line =
      count == 1 ? fmt::format("{}: missing 1 record: {}", shard, first["first"].get<std::string>())
                 : fmt::format("{}: missing {} records: {}..{}", shard, count,
                               first["first"].get<std::string>(), first["last"].get<std::string>());
  EXPECT_NE(text.out.find(expected_line), std::string::npos) << expected_line << "\n" << text.out;
  EXPECT_NE(text.out.find("result: FAILED"), std::string::npos) << text.out;
  if (!HasFailure()) fs::remove_all(ran.dir);
}

TEST(Verify, ACopiedTargetFileIsReportedAsDuplicates) {
  auto ran = run_pipe("verify-duplicates");
  auto [shard, file] = some_target_file(ran.dir / "out");
  auto copied = sequences_in(file);
  fs::copy_file(file, file.parent_path() / "copy-of-a-file.jsonl");

  auto checked = verify(ran.dir / "pipe.yaml", true);
  EXPECT_EQ(checked.exit_code, 1) << "parallelization_factor 1 promises exactly once\n"
                                  << checked.out << checked.err;
  auto report = json::parse(checked.out);
  EXPECT_EQ(report["result"], "failed");
  EXPECT_EQ(report["totals"]["missing"], 0);
  EXPECT_EQ(report["totals"]["duplicates"], copied.size());
  for (const auto& entry : report["shards"]) {
    if (entry["shardId"] != shard) continue;
    std::vector<std::string> listed;
    for (size_t i = 0; i < std::min<size_t>(copied.size(), 20); ++i) {
      listed.push_back(std::to_string(copied[i]));
    }
    EXPECT_EQ(entry["duplicates"]["sequenceNumbers"], json(listed)) << entry.dump();
  }
  auto text = verify(ran.dir / "pipe.yaml", false);
  EXPECT_NE(text.out.find(fmt::format("{}: {} records found more than once: {}", shard,
                                      copied.size(), copied.front())),
            std::string::npos)
      << text.out;

  // With a parallelization factor above 1, duplicates are allowed: a warning, exit status 0.
  t::write_file(ran.dir / "pipe.yaml", pipe_file(2));
  auto relaxed = verify(ran.dir / "pipe.yaml", true);
  EXPECT_EQ(relaxed.exit_code, 0) << relaxed.out << relaxed.err;
  EXPECT_EQ(json::parse(relaxed.out)["result"], "warnings");
  if (!HasFailure()) fs::remove_all(ran.dir);
}

TEST(Verify, PipesWhoseOutputCannotBeReadBackAreUsageErrors) {
  auto dir = t::fresh_test_dir("verify-refused");
  t::write_file(dir / "http.yaml", R"(name: refused
source: { type: local, path: ./log }
target: { type: http, url: "http://127.0.0.1:9/" }
)");
  auto http = verify(dir / "http.yaml", false);
  EXPECT_EQ(http.exit_code, 2);
  EXPECT_NE(http.err.find("this pipe's target is 'http'"), std::string::npos) << http.err;
  EXPECT_TRUE(http.out.empty()) << http.out;

  t::write_file(dir / "transform.yaml", R"(name: refused
source: { type: local, path: ./log, data_encoding: json, on_decode_error: fail }
transform: '{"id": <$.eventID>}'
target: { type: file, path: ./out }
)");
  auto transformed = verify(dir / "transform.yaml", false);
  EXPECT_EQ(transformed.exit_code, 2);
  EXPECT_NE(transformed.err.find("transform"), std::string::npos) << transformed.err;
  EXPECT_NE(transformed.err.find("not envelopes"), std::string::npos) << transformed.err;

  auto missing = verify(dir / "no-such-pipe.yaml", false);
  EXPECT_EQ(missing.exit_code, 2);
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe
