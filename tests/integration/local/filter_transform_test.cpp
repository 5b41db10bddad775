// A pipe with a filter and a transform: only matching records reach the target, transformed;
// filtered records count as handled, so the checkpoint reaches the end of every shard.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
namespace t = shardpipe::testing;
using nlohmann::json;

const std::string binary = SHARDPIPE_BINARY;

std::vector<json> output_lines(const fs::path& out) {
  std::vector<json> lines;
  if (!fs::exists(out)) return lines;
  for (const auto& file : fs::recursive_directory_iterator(out)) {
    if (file.path().extension() != ".jsonl") continue;
    std::istringstream text(t::read_file(file.path()));
    for (std::string line; std::getline(text, line);) lines.push_back(json::parse(line));
  }
  return lines;
}

TEST(FilterAndTransform, OnlyMatchingRecordsArriveTransformedAndEverythingIsCheckpointed) {
  auto dir = t::fresh_test_dir("filter-transform");
  t::create_log(binary, dir / "log", 2);
  std::vector<std::string> lines;
  std::map<int, int> paid_amounts;  // order number -> amount of the paid orders
  for (int i = 0; i < 500; ++i) {
    bool paid = i % 3 == 0;
    int amount = paid && i % 2 == 0 ? 5 : 150 + i;
    lines.push_back(
        json({{"order", i}, {"status", paid ? "paid" : "open"}, {"amount", amount}}).dump());
    if (paid && amount > 100) paid_amounts[i] = amount;
  }
  auto put = t::put_records(binary, dir / "log", lines, {"--partition-key-field", "order"});
  t::write_file(dir / "pipe.yaml", R"(name: filtered
source: { type: local, path: ./log, data_encoding: json, on_decode_error: fail }
filter:
  - { data: { status: [paid], amount: [{ numeric: [">", 100] }] } }
transform: '{"id": <$.eventID>, "order": <$.data.order>, "cents": <$.data.amount>, "note": "order <$.data.order>"}'
target: { type: file, path: ./out, records_per_file: 50 }
)");
  auto ran = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;

  auto delivered = output_lines(dir / "out");
  ASSERT_EQ(delivered.size(), paid_amounts.size());
  for (const auto& line : delivered) {
    int order = line["order"].get<int>();
    ASSERT_TRUE(paid_amounts.contains(order)) << line.dump();
    EXPECT_EQ(line["cents"], paid_amounts[order]);
    EXPECT_EQ(line["note"], fmt::format("order {}", order));
    EXPECT_TRUE(line["id"].get<std::string>().starts_with("shardId-")) << line.dump();
    EXPECT_EQ(line.size(), 4u) << "the transform's output replaces the envelope";
  }
  // Filtered records are handled: every shard is checkpointed at its last record.
  EXPECT_EQ(t::checkpointed_to_the_end(binary, dir / "pipe.yaml", put), "");
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(FilterAndTransform, AnInvalidPatternIsAConfigurationError) {
  auto dir = t::fresh_test_dir("filter-invalid");
  t::write_file(dir / "pipe.yaml", R"(name: filtered
source: { type: local, path: ./log }
filter:
  - { data: { amount: [{ numeric: [">"] }] } }
target: { type: stdout }
)");
  auto ran = t::run_process({binary, "run", (dir / "pipe.yaml").string()});
  EXPECT_EQ(ran.exit_code, 2);
  EXPECT_NE(ran.err.find("pipe.yaml:4:"), std::string::npos) << ran.err;
}

}  // namespace
}  // namespace shardpipe
