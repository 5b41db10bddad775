// Bad input gets a clear error and starts nothing: an invalid pipe file is refused by `validate`
// and `run` with exit status 2 and every mistake as FILE:LINE:COL on stderr; a pipe or a put
// whose local log does not exist fails with status 1, naming the folder and how to create it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "process.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::fresh_test_dir;
using testing::run_process_for;
using testing::write_file;

const std::string binary = SHARDPIPE_BINARY;

struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
};

// Every line of `err` must be a diagnostic; anything else is a test failure.
std::vector<Diagnostic> diagnostics(const std::string& err) {
  static const std::regex pattern(R"(^(.+):(\d+):(\d+): error: (.+)$)");
  std::vector<Diagnostic> found;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (!std::regex_match(line, match, pattern)) {
      ADD_FAILURE() << "not a FILE:LINE:COL: error: line: " << line;
      continue;
    }
    found.push_back({match[1], std::stoi(match[2]), std::stoi(match[3]), match[4]});
  }
  return found;
}

constexpr std::string_view three_mistakes = R"(name: bad
source:
  type: local
  path: ./log
  batch_size: 0
  starting_position: SOMEWHERE
target:
  type: file
  path: ./out
  colour: blue
)";

void expect_the_three_mistakes(const std::string& err, const fs::path& pipe_file) {
  auto found = diagnostics(err);
  ASSERT_EQ(found.size(), 3u) << err;
  for (const auto& diagnostic : found) EXPECT_EQ(diagnostic.file, pipe_file.string()) << err;
  // Sorted by position; values are reported at the value, unknown keys at the key.
  EXPECT_EQ(found[0].line, 5);
  EXPECT_EQ(found[0].column, 15);
  EXPECT_NE(found[0].message.find("batch_size"), std::string::npos) << found[0].message;
  EXPECT_NE(found[0].message.find("between 1 and 10000"), std::string::npos) << found[0].message;
  EXPECT_EQ(found[1].line, 6);
  EXPECT_EQ(found[1].column, 22);
  EXPECT_NE(found[1].message.find("SOMEWHERE"), std::string::npos) << found[1].message;
  for (const char* allowed : {"TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"}) {
    EXPECT_NE(found[1].message.find(allowed), std::string::npos) << found[1].message;
  }
  EXPECT_EQ(found[2].line, 10);
  EXPECT_EQ(found[2].column, 3);
  EXPECT_NE(found[2].message.find("'colour'"), std::string::npos) << found[2].message;
}

TEST(BadInput, ValidateReportsEveryMistakeWithItsPosition) {
  auto dir = fresh_test_dir("bad-input-validate");
  write_file(dir / "bad.yaml", std::string(three_mistakes));
  auto validated = run_process_for(30s, {binary, "validate", (dir / "bad.yaml").string()});
  EXPECT_EQ(validated.exit_code, 2) << validated.err;
  EXPECT_EQ(validated.out, "") << "errors belong on stderr, and 'ok' must not be printed";
  expect_the_three_mistakes(validated.err, dir / "bad.yaml");
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(BadInput, RunRefusesAnInvalidFileWithTheSameErrorsAndStartsNothing) {
  auto dir = fresh_test_dir("bad-input-run");
  write_file(dir / "bad.yaml", std::string(three_mistakes));
  auto ran =
      run_process_for(30s, {binary, "run", (dir / "bad.yaml").string(), "--stop-when-idle", "1s"});
  EXPECT_FALSE(ran.timed_out);
  EXPECT_EQ(ran.exit_code, 2) << ran.err;
  EXPECT_EQ(ran.out, "");
  expect_the_three_mistakes(ran.err, dir / "bad.yaml");
  EXPECT_FALSE(fs::exists(dir / "out")) << "a refused pipe must not create its target";
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(BadInput, MisspelledKeysGetASuggestion) {
  auto dir = fresh_test_dir("bad-input-typo");
  write_file(dir / "typo.yaml", R"(name: typo
source:
  type: local
  path: ./log
  batch_sise: 5
target:
  type: file
  path: ./out
  records_per_fil: 3
)");
  auto validated = run_process_for(30s, {binary, "validate", (dir / "typo.yaml").string()});
  EXPECT_EQ(validated.exit_code, 2);
  auto found = diagnostics(validated.err);
  ASSERT_EQ(found.size(), 2u) << validated.err;
  EXPECT_EQ(found[0].line, 5);
  EXPECT_NE(found[0].message.find("did you mean 'batch_size'"), std::string::npos)
      << found[0].message;
  EXPECT_EQ(found[1].line, 9);
  EXPECT_NE(found[1].message.find("did you mean 'records_per_file'"), std::string::npos)
      << found[1].message;
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(BadInput, YamlSyntaxErrorIsReportedAtItsPosition) {
  auto dir = fresh_test_dir("bad-input-syntax");
  write_file(dir / "syntax.yaml",
             "name: syntax\nsource:\n  type: local\n  path: [./log\ntarget:\n  type: stdout\n");
  auto validated = run_process_for(30s, {binary, "validate", (dir / "syntax.yaml").string()});
  EXPECT_EQ(validated.exit_code, 2);
  EXPECT_EQ(validated.out, "");
  auto found = diagnostics(validated.err);
  ASSERT_EQ(found.size(), 1u) << validated.err;
  EXPECT_EQ(found[0].file, (dir / "syntax.yaml").string());
  EXPECT_GE(found[0].line, 4) << "the error is at or after the unclosed list";
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(BadInput, ValidFilePrintsOk) {
  auto dir = fresh_test_dir("bad-input-valid");
  write_file(dir / "good.yaml", R"(name: good
source:
  type: local
  path: ./log
  batch_size: 10
  starting_position: LATEST
target:
  type: file
  path: ./out
  records_per_file: 3
retry: {backoff_initial: 50ms, backoff_max: 500ms}
checkpoint:
  lease_duration: 2s
)");
  auto validated = run_process_for(30s, {binary, "validate", (dir / "good.yaml").string()});
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  EXPECT_EQ(validated.out, "ok\n");
  EXPECT_EQ(validated.err, "");
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(BadInput, RunWithoutTheLogFolderFailsNamingItAndHowToCreateIt) {
  auto dir = fresh_test_dir("bad-input-no-log");
  write_file(dir / "pipe.yaml", R"(name: nolog
source:
  type: local
  path: ./missing/log
target:
  type: file
  path: ./out
retry: {backoff_initial: 50ms, backoff_max: 500ms}
checkpoint:
  lease_duration: 1s
)");
  // A pipe that retried forever, or that called a missing log idle, would fail here.
  auto ran =
      run_process_for(30s, {binary, "run", (dir / "pipe.yaml").string(), "--stop-when-idle", "1s"});
  EXPECT_FALSE(ran.timed_out) << "run kept going on a missing log";
  EXPECT_EQ(ran.exit_code, 1) << ran.err;
  // Relative paths are relative to the pipe file's folder, and the message says so.
  auto log_path = (dir / "missing" / "log").string();
  EXPECT_NE(ran.err.find(log_path), std::string::npos) << ran.err;
  EXPECT_NE(ran.err.find("shardpipe log create " + log_path), std::string::npos) << ran.err;
  EXPECT_FALSE(fs::exists(dir / "missing"))
      << "run must not create an empty log in place of a missing one";
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(BadInput, PutToAMissingLogFailsNamingItAndHowToCreateIt) {
  auto dir = fresh_test_dir("bad-input-put");
  auto log_dir = dir / "nothing-here";
  auto put = run_process_for(30s, {binary, "log", "put", log_dir.string()}, "{\"a\":1}\n");
  EXPECT_EQ(put.exit_code, 1) << put.err;
  EXPECT_NE(put.err.find(log_dir.string()), std::string::npos) << put.err;
  EXPECT_NE(put.err.find("shardpipe log create"), std::string::npos) << put.err;
  EXPECT_FALSE(fs::exists(log_dir)) << "put must not create a log";

  // A folder that exists but holds no log is just as clearly refused.
  fs::create_directories(log_dir);
  auto into_empty = run_process_for(30s, {binary, "log", "put", log_dir.string()}, "{\"a\":1}\n");
  EXPECT_NE(into_empty.exit_code, 0);
  EXPECT_NE(into_empty.err.find("shardpipe log create"), std::string::npos) << into_empty.err;
  EXPECT_TRUE(fs::is_empty(log_dir)) << "put must not leave files in a folder that is not a log";
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe
