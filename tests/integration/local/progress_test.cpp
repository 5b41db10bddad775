// The progress line of long commands: drawn on a terminal (a real pseudo-terminal here) or when
// SHARDPIPE_PROGRESS=always, never into a pipe otherwise, and erased before the command's own
// output and between log lines.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <sstream>

#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace t = shardpipe::testing;
using namespace std::chrono_literals;

const std::string binary = SHARDPIPE_BINARY;

// Runs argv with standard input from `input` and standard output and error on a new
// pseudo-terminal; returns the exit code and everything the terminal received.
std::pair<int, std::string> run_on_terminal(const std::vector<std::string>& argv,
                                            const std::filesystem::path& input) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  int in = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) throw std::runtime_error("cannot open " + input.string());
  winsize size{};
  size.ws_row = 24;
  size.ws_col = 200;
  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) {
    ::dup2(in, STDIN_FILENO);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(in);
  std::string out;
  char buffer[4096];
  while (true) {
    ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO once the child has exited and the terminal is closed
    }
  }
  ::close(master);
  return {t::wait_process(pid), out};
}

std::filesystem::path write_lines(const std::filesystem::path& file, int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += fmt::format(R"({{"k":"key-{}","n":{}}})", i, i) + "\n";
  t::write_file(file, text);
  return file;
}

// Standard error without the progress line's drawings ("\r" ... erase-to-end-of-line) and
// erasures; what is left is what the command prints anyway.
std::string without_progress(const std::string& text) {
  std::string out;
  for (size_t at = 0; at < text.size();) {
    if (text[at] == '\r' && text.compare(at, 2, "\r\n") != 0) {
      auto end = text.find("\033[K", at);
      if (end == std::string::npos) return out + text.substr(at);
      at = end + 3;
      continue;
    }
    out.push_back(text[at++]);
  }
  return out;
}

TEST(Progress, LogPutDrawsALineOnATerminalAndErasesIt) {
  ::unsetenv("SHARDPIPE_PROGRESS");
  auto dir = t::fresh_test_dir("progress-put-tty");
  t::create_log(binary, dir / "log", 2);
  auto input = write_lines(dir / "input.jsonl", 5000);
  auto [exit_code, screen] = run_on_terminal({binary, "log", "put", (dir / "log").string()}, input);
  ASSERT_EQ(exit_code, 0) << screen;
  // Standard input is a file of known size: records, rate, bytes, percent and ETA.
  EXPECT_NE(screen.find("\rput 5,000 records  "), std::string::npos) << screen;
  EXPECT_NE(screen.find(" KiB of "), std::string::npos) << screen;
  EXPECT_NE(screen.find("100%  ETA "), std::string::npos) << screen;
  // Erased before the summary, which the terminal shows on a clean line.
  EXPECT_NE(screen.find("\033[K\r\033[Kput 5000 records\r\n"), std::string::npos) << screen;
  EXPECT_EQ(without_progress(screen), "put 5000 records\r\n");
}

TEST(Progress, NothingButTheUsualOutputWhenStandardErrorIsNotATerminal) {
  ::unsetenv("SHARDPIPE_PROGRESS");
  auto dir = t::fresh_test_dir("progress-put-pipe");
  t::create_log(binary, dir / "log", 2);
  auto input = write_lines(dir / "input.jsonl", 5000);
  auto put = t::run_process({binary, "log", "put", (dir / "log").string()}, t::read_file(input));
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_EQ(put.err, "put 5000 records\n");
  EXPECT_EQ(put.out, "");
  // From a file too (the percent case), and with SHARDPIPE_PROGRESS=never on a terminal.
  auto from_file = t::run_process({"/bin/sh", "-c",
                                   fmt::format("exec '{}' log put '{}' < '{}'", binary,
                                               (dir / "log").string(), input.string())});
  EXPECT_EQ(from_file.err, "put 5000 records\n");
  ::setenv("SHARDPIPE_PROGRESS", "never", 1);
  auto [exit_code, screen] = run_on_terminal({binary, "log", "put", (dir / "log").string()}, input);
  EXPECT_EQ(exit_code, 0);
  EXPECT_EQ(screen, "put 5000 records\r\n");
  ::unsetenv("SHARDPIPE_PROGRESS");
}

TEST(Progress, ForcedIntoAPipeWithSHARDPIPE_PROGRESS_always) {
  auto dir = t::fresh_test_dir("progress-put-always");
  t::create_log(binary, dir / "log", 2);
  auto input = write_lines(dir / "input.jsonl", 3000);
  ::setenv("SHARDPIPE_PROGRESS", "always", 1);
  auto put = t::run_process({"/bin/sh", "-c",
                             fmt::format("exec '{}' log put '{}' < '{}'", binary,
                                         (dir / "log").string(), input.string())});
  ::unsetenv("SHARDPIPE_PROGRESS");
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_TRUE(put.err.starts_with("\rput 3,000 records  ")) << put.err;
  EXPECT_NE(put.err.find("100%  ETA "), std::string::npos) << put.err;
  EXPECT_TRUE(put.err.ends_with("\033[K\r\033[Kput 3000 records\n")) << put.err;
  EXPECT_EQ(without_progress(put.err), "put 3000 records\n");
}

TEST(Progress, RunUntilIdleShowsHandledAndLeftAndKeepsLogLinesWhole) {
  auto dir = t::fresh_test_dir("progress-run");
  t::create_log(binary, dir / "log", 2);
  auto input = write_lines(dir / "input.jsonl", 2000);
  ASSERT_EQ(
      t::run_process({binary, "log", "put", (dir / "log").string()}, t::read_file(input)).exit_code,
      0);
  t::write_file(dir / "pipe.yaml", R"(name: progress
source: { type: local, path: ./log, batch_size: 100 }
target: { type: file, path: ./out, records_per_file: 500 }
metrics: { listen: "off" }
)");
  ::setenv("SHARDPIPE_PROGRESS", "always", 1);
  auto ran = t::run_until_idle(binary, dir / "pipe.yaml", "w1", "1s");
  ::unsetenv("SHARDPIPE_PROGRESS");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_NE(ran.err.find("\rhandled "), std::string::npos) << ran.err;
  EXPECT_NE(ran.err.find(" left  ETA "), std::string::npos) << ran.err;
  EXPECT_NE(ran.err.find("\rhandled 2,000 records  "), std::string::npos) << ran.err;
  // Erased at the end: the last thing written is a log line on a line of its own.
  EXPECT_LT(ran.err.rfind("\rhandled"), ran.err.rfind("\r\033[K")) << ran.err;
  EXPECT_TRUE(ran.err.ends_with("stopped\n")) << ran.err;
  // Every log line is whole: without the progress line, each line is a log line.
  std::istringstream lines(without_progress(ran.err));
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_TRUE(line.starts_with("20")) << line;
  }
  EXPECT_GE(count, 3);
  EXPECT_EQ(t::read_file_target(dir / "out").size(), 2000u);

  // Without forcing, into a pipe: only the log lines.
  ASSERT_EQ(
      t::run_process({binary, "log", "put", (dir / "log").string()}, "more\nand more\n").exit_code,
      0);
  auto quiet = t::run_until_idle(binary, dir / "pipe.yaml", "w1", "1s");
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find('\r'), std::string::npos) << quiet.err;
}

TEST(Progress, DlqReplayShowsEntriesOfTotal) {
  auto dir = t::fresh_test_dir("progress-replay");
  t::create_log(binary, dir / "log", 1);
  t::write_file(dir / "pipe.yaml", R"(name: replay
source: { type: local, path: ./log, batch_size: 10 }
target: { type: file, path: ./out }
dead_letter: { type: file, path: ./dlq }
metrics: { listen: "off" }
)");
  // Entries whose records a failing target gave up on, as the pipe writes them.
  std::string entries;
  for (int i = 1; i <= 50; ++i) {
    nlohmann::json envelope = {{"eventSource", "shardpipe:local"},
                               {"eventID", fmt::format("shardId-000000000000:{}", i)},
                               {"partitionKey", fmt::format("k{}", i)},
                               {"sequenceNumber", std::to_string(i)},
                               {"data", "aGVsbG8="}};
    nlohmann::json entry = {{"version", "1"},
                            {"timestamp", "2026-01-01T00:00:00.000Z"},
                            {"pipe", "replay"},
                            {"condition", "RetryAttemptsExhausted"},
                            {"error", {{"message", "target down"}, {"statusCode", 503}}},
                            {"attempts", 3},
                            {"eventID", fmt::format("shardId-000000000000:{}", i)},
                            {"source",
                             {{"type", "local"},
                              {"shardId", "shardId-000000000000"},
                              {"sequenceNumber", std::to_string(i)}}},
                            {"record", envelope}};
    entries += entry.dump() + "\n";
  }
  std::filesystem::create_directories(dir / "dlq");
  t::write_file(dir / "dlq" / "shardId-000000000000.jsonl", entries);
  ::setenv("SHARDPIPE_PROGRESS", "always", 1);
  auto replayed = t::run_process({binary, "dlq", "replay", (dir / "pipe.yaml").string()});
  ::unsetenv("SHARDPIPE_PROGRESS");
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_EQ(replayed.out, "replayed: 50 delivered and removed, 0 kept\n");
  EXPECT_TRUE(replayed.err.starts_with("\rreplayed 0 of 50 entries  0%  ")) << replayed.err;
  EXPECT_TRUE(replayed.err.ends_with("\r\033[K")) << replayed.err;
  EXPECT_EQ(without_progress(replayed.err), "");
  EXPECT_EQ(t::read_file_target(dir / "out").size(), 50u);

  // Not on a terminal and not forced: nothing on standard error.
  t::write_file(dir / "dlq" / "shardId-000000000000.jsonl", entries);
  auto pipe_file = t::read_file(dir / "pipe.yaml");
  pipe_file.replace(pipe_file.find("./out"), 5, "./out2");
  t::write_file(dir / "pipe.yaml", pipe_file);
  auto quiet = t::run_process({binary, "dlq", "replay", (dir / "pipe.yaml").string()});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
}

}  // namespace
}  // namespace shardpipe
