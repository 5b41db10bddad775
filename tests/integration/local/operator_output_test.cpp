// What operators read: `--log-format json` gives one JSON object per log line, and
// `status --watch` prints the status again and again until it is interrupted.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace t = shardpipe::testing;
using namespace std::chrono_literals;

const std::string binary = SHARDPIPE_BINARY;

std::filesystem::path make_pipe(const std::string& name) {
  auto dir = t::fresh_test_dir(name);
  t::create_log(binary, dir / "log", 2);
  t::put_keyed_group(binary, dir / "log", "a", 20);
  t::write_file(dir / "pipe.yaml", R"(name: operator
source: { path: ./log }
target: { type: file, path: ./out }
metrics: { listen: "off" }
)");
  return dir;
}

TEST(OperatorOutput, JsonLogLinesAreEachOneJsonObject) {
  auto dir = make_pipe("log-format-json");
  auto ran = t::run_process_for(60s, {binary, "--log-format", "json", "run",
                                      (dir / "pipe.yaml").string(), "--stop-when-idle", "1s"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  std::istringstream lines(ran.err);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(parsed.is_object()) << line;
    EXPECT_TRUE(parsed.contains("time") && parsed.contains("level") && parsed.contains("message"))
        << line;
  }
  EXPECT_GE(count, 2) << "at least the start and the stop";
  EXPECT_EQ(
      t::run_process({binary, "--log-format", "xml", "validate", (dir / "pipe.yaml").string()})
          .exit_code,
      2);
}

TEST(OperatorOutput, StatusWatchPrintsUntilInterrupted) {
  auto dir = make_pipe("status-watch");
  ASSERT_EQ(t::run_until_idle(binary, dir / "pipe.yaml").exit_code, 0);
  auto watched = t::run_process_for(
      2500ms, {binary, "status", (dir / "pipe.yaml").string(), "--json", "--watch", "500ms"});
  EXPECT_TRUE(watched.timed_out) << "it runs until interrupted";
  std::istringstream lines(watched.out);
  int rounds = 0;
  for (std::string line; std::getline(lines, line); ++rounds) {
    auto status = nlohmann::json::parse(line);
    EXPECT_EQ(status["shards"].size(), 2u);
  }
  EXPECT_GE(rounds, 3);
  auto bad = t::run_process({binary, "status", (dir / "pipe.yaml").string(), "--watch", "soon"});
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
}  // namespace shardpipe
