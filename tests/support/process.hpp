// Runs the shardpipe binary (or any program) from tests: to completion, or in the background to
// be killed at a chosen moment.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace shardpipe::testing {

struct Completed {
  int exit_code = -1;  // -signal when killed by a signal
  std::string out;
  std::string err;
  bool timed_out = false;  // run_process_for killed it at its deadline
};

// Runs argv[0] with `input` on stdin and waits for it.
Completed run_process(const std::vector<std::string>& argv, const std::string& input = "");

// Like run_process, but kills the program with SIGKILL once `timeout` has passed, so a test
// cannot hang on a program that never stops.
Completed run_process_for(std::chrono::milliseconds timeout, const std::vector<std::string>& argv,
                          const std::string& input = "");

// Starts argv[0] with stdout and stderr appended to `log_file`; returns its pid.
pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& log_file);

// Waits for `pid`; returns its exit code, or -signal.
int wait_process(pid_t pid);

// A program running in the background (spawn_process), killed with SIGKILL when it goes out of
// scope still running, so a failing test leaves nothing behind.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, std::filesystem::path log_file);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  // True while the program has not exited (it is not reaped by this call).
  bool running();
  void signal(int number);
  // Waits up to `timeout` for the program to exit; its exit code (or -signal), or nullopt.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // Everything the program wrote so far (stdout and stderr).
  std::string output() const;

 private:
  pid_t pid_;
  std::filesystem::path log_file_;
  std::optional<int> exit_code_;
};

// A fresh, empty folder under the temporary directory, named after the running test.
std::filesystem::path fresh_test_dir(const std::string& name);

std::string read_file(const std::filesystem::path& file);
void write_file(const std::filesystem::path& file, const std::string& text);

}  // namespace shardpipe::testing
