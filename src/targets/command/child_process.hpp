// A program run as a child with its stdin and stdout as pipes, spoken to one line at a time under
// a deadline. It runs in a process group of its own so that it and anything it starts can be
// killed together, and it is always killed and reaped before this object goes away.
//
// Writing to a child that has exited must not kill the caller: the process ignores SIGPIPE
// (shardpipe's main does), and writes then fail with EPIPE.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace shardpipe {

using Deadline = std::chrono::steady_clock::time_point;

struct ChildOptions {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no slash
  std::filesystem::path working_dir;
  std::vector<std::string> environment;  // "NAME=value" entries added to (or replacing) ours
};

// Why talking to the child stopped.
struct ChildIoError {
  enum class Kind {
    timed_out,  // the deadline passed
    closed,     // the child closed its end (it exited or crashed, most likely)
    failed,     // an unexpected I/O error
  };
  Kind kind = Kind::failed;
  std::string detail;
};

template <typename T>
using ChildIo = std::expected<T, ChildIoError>;

class ChildProcess {
 public:
  // Starts the program; an error (retriable) says why it could not be started.
  static Result<std::unique_ptr<ChildProcess>> start(const ChildOptions& options);

  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Writes all of `bytes` to the child's stdin. Whatever the child writes meanwhile is read into
  // a buffer, so a child that answers while it is still being fed cannot deadlock us.
  ChildIo<void> write(std::string_view bytes, Deadline deadline);

  // The next line the child writes on stdout, without its line end.
  ChildIo<std::string> read_line(Deadline deadline);

  enum class State {
    ready,         // running, and everything it wrote was read: it may get the next message
    exited,        // it exited or closed its end of a pipe
    stray_output,  // it wrote something nobody asked for (see unread())
  };
  // Checked without waiting.
  State state();
  // What the child wrote that was not returned as a line yet.
  std::string_view unread() const { return buffer_; }

  // Closes the child's stdin and gives it until `deadline` to exit; then kills its process group
  // and reaps it. Describes how it ended ("exited with status 0", "was killed by signal 9 ...").
  std::string stop(Deadline deadline);

  // Kills the process group now and reaps the child; describes how it ended.
  std::string kill() { return stop(std::chrono::steady_clock::now()); }

 private:
  ChildProcess(pid_t pid, int stdin_fd, int stdout_fd, int pid_fd);
  // Reads what is available on stdout into the buffer; false at end of file or on an error.
  ChildIo<void> read_available();
  bool wait_exit(Deadline deadline);

  pid_t pid_;
  int stdin_fd_;
  int stdout_fd_;
  int pid_fd_;          // readable once the child has exited; -1 where the kernel has no pidfds
  std::string buffer_;  // read from stdout, not yet returned as a line
  size_t scanned_ = 0;  // how much of buffer_ is known to hold no line end
  bool stdout_closed_ = false;
  std::optional<std::string> ended_;  // set once reaped: how it ended
};

}  // namespace shardpipe
