// Runs the shardpipe binary (or any program) from tests: to completion, or in the background to
// be killed at a chosen moment.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace shardpipe::testing {

struct Completed {
  int exit_code = -1;  // -signal when killed by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] with `input` on stdin and waits for it.
Completed run_process(const std::vector<std::string>& argv, const std::string& input = "");

// Starts argv[0] with stdout and stderr appended to `log_file`; returns its pid.
pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& log_file);

// Waits for `pid`; returns its exit code, or -signal.
int wait_process(pid_t pid);

// A fresh, empty folder under the temporary directory, named after the running test.
std::filesystem::path fresh_test_dir(const std::string& name);

std::string read_file(const std::filesystem::path& file);
void write_file(const std::filesystem::path& file, const std::string& text);

}  // namespace shardpipe::testing
