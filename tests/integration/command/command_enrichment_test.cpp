// The command enrichment through the shardpipe binary: a record processor (Python) enriches
// every batch of a local log before the file target, a processor that crashes mid-way loses
// nothing, and a reply that does not hold one record per record fails its batch until the
// records are dead-lettered as they were read.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "command_test_support.hpp"
#include "local_pipe.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
namespace t = shardpipe::testing;
using namespace command_testing;

const std::string binary = SHARDPIPE_BINARY;

std::vector<t::PutRecord> put_keyed(const fs::path& log, int count) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) lines.push_back(fmt::format(R"({{"k":"key-{}","n":{}}})", i, i));
  return t::put_records(binary, log, lines, {"--partition-key-field", "k"});
}

// A local → file pipe whose batches go through the tests' enricher.py, run under `env` with
// `setting`; `retry` is the retry section's settings.
std::string pipe_yaml(const std::string& setting,
                      const std::string& retry = "backoff_initial: 50ms, backoff_max: 1s",
                      const std::string& extra = "") {
  return fmt::format(R"(name: command-enrichment
source:
  type: local
  path: ./log
  batch_size: 50
enrichment:
  type: command
  command: [env, "{}", python3, "{}"]
  timeout: 10s
target:
  type: file
  path: ./out
  records_per_file: 50
retry: {{{}}}
shutdown_timeout: 5s
{})",
                     setting, test_processor("enricher.py").string(), retry, extra);
}

TEST(CommandEnrichment, EveryRecordArrivesEnrichedOnceThroughAProcessorCrash) {
  auto dir = t::fresh_test_dir("command-enrichment");
  t::create_log(binary, dir / "log", 2);
  auto put = put_keyed(dir / "log", 400);
  t::write_file(dir / "pipe.yaml", pipe_yaml("CRASH_MARKER=crashed"));

  auto run = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(fs::exists(dir / "crashed")) << "the processor never crashed";
  EXPECT_NE(run.err.find("exited with status 3 during enrichRecords"), std::string::npos)
      << run.err;
  auto delivered = t::read_file_target(dir / "out");
  EXPECT_EQ(t::exactly_once(put, delivered), "");
  size_t enriched = 0;
  for (const auto& file : t::file_target_files(dir / "out")) {
    for (const auto& line : lines_of(file)) {
      auto envelope = nlohmann::json::parse(line);
      enriched += envelope.value("enriched", false);
    }
  }
  EXPECT_EQ(enriched, put.size());
  EXPECT_EQ(t::checkpointed_to_the_end(binary, dir / "pipe.yaml", put), "");
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(CommandEnrichment, AReplyOfTheWrongLengthFailsTheBatchUntilItIsDeadLettered) {
  auto dir = t::fresh_test_dir("command-enrichment-short");
  t::create_log(binary, dir / "log", 1);
  auto put = put_keyed(dir / "log", 10);
  t::write_file(dir / "pipe.yaml",
                pipe_yaml("SHORT_REPLY=1",
                          "maximum_retry_attempts: 1, backoff_initial: 10ms, backoff_max: 50ms",
                          "dead_letter: { type: file, path: ./dlq }\n"));

  auto run = t::run_until_idle(binary, dir / "pipe.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(t::file_target_files(dir / "out").empty()) << "nothing may reach the target";
  auto entries = t::dead_letter_entries(dir / "dlq");
  ASSERT_EQ(entries.size(), put.size()) << run.err;
  for (const auto& entry : entries) {
    EXPECT_EQ(entry["condition"], "RetryAttemptsExhausted");
    auto message = entry["error"]["message"].get<std::string>();
    EXPECT_NE(message.find("replied 9 elements for a batch of 10 records"), std::string::npos)
        << message;
    EXPECT_FALSE(entry["record"].contains("enriched")) << "dead letters hold the record as read";
  }
  EXPECT_EQ(t::checkpointed_to_the_end(binary, dir / "pipe.yaml", put), "");
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe
