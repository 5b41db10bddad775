#include "targets/command/child_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <span>

extern char** environ;

namespace shardpipe {
namespace {

using Clock = std::chrono::steady_clock;

std::unexpected<ChildIoError> io_error(ChildIoError::Kind kind, std::string detail) {
  return std::unexpected(ChildIoError{kind, std::move(detail)});
}

std::string errno_text(int error) {
  const char* text = strerrordesc_np(error);
  return text ? text : fmt::format("error {}", error);
}

// Milliseconds left until `deadline`, rounded up so that poll() never wakes just before it.
int remaining_ms(Deadline deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, INT_MAX));
}

// Waits until one of `fds` is ready: an error when the deadline passes first or poll fails.
ChildIo<void> poll_until(std::span<pollfd> fds, Deadline deadline) {
  while (true) {
    int ready = ::poll(fds.data(), fds.size(), remaining_ms(deadline));
    if (ready > 0) return {};
    if (ready < 0 && errno != EINTR) {
      return io_error(ChildIoError::Kind::failed, "poll: " + errno_text(errno));
    }
    if (ready == 0 && Clock::now() >= deadline) return io_error(ChildIoError::Kind::timed_out, "");
  }
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = sigdescr_np(WTERMSIG(status));
    return fmt::format("was killed by signal {} ({})", WTERMSIG(status), name ? name : "unknown");
  }
  return "ended";
}

// Our environment with `overrides` ("NAME=value") replacing entries of the same name.
std::vector<std::string> child_environment(const std::vector<std::string>& overrides) {
  std::vector<std::string> result;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    std::string_view name = text.substr(0, text.find('=') + 1);
    bool replaced = std::ranges::any_of(
        overrides, [&](const std::string& override) { return override.starts_with(name); });
    if (!replaced) result.emplace_back(text);
  }
  result.insert(result.end(), overrides.begin(), overrides.end());
  return result;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& text : strings) result.push_back(text.data());
  result.push_back(nullptr);
  return result;
}

// posix_spawn's attribute and file-action objects, destroyed however start() returns.
struct SpawnSetup {
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::start(const ChildOptions& options) {
  if (options.argv.empty()) return fail(Error::permanent("no program to start"));
  std::string what = fmt::format("[{}]", fmt::join(options.argv, ", "));
  if (!options.working_dir.empty()) what += fmt::format(" in {}", options.working_dir.string());

  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0) {
    return fail(
        Error::retriable(fmt::format("cannot start {}: pipe: {}", what, errno_text(errno))));
  }
  if (::pipe2(from_child, O_CLOEXEC) != 0) {
    int error = errno;
    ::close(to_child[0]);
    ::close(to_child[1]);
    return fail(
        Error::retriable(fmt::format("cannot start {}: pipe: {}", what, errno_text(error))));
  }

  SpawnSetup setup;
  posix_spawn_file_actions_adddup2(&setup.actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, from_child[1], STDOUT_FILENO);
  // Nothing else of ours (sockets, databases, other children's pipes) leaks into the child.
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1);
  if (!options.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&setup.actions, options.working_dir.c_str());
  }
  // A group of its own, to kill whatever it starts along with it; no signal blocked, and the
  // signals we ignore (SIGPIPE) back to their defaults, since ignoring survives exec.
  posix_spawnattr_setflags(&setup.attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&setup.attributes, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&setup.attributes, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int signal : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD})
    sigaddset(&defaults, signal);
  posix_spawnattr_setsigdefault(&setup.attributes, &defaults);

  std::vector<std::string> argv = options.argv;
  std::vector<std::string> environment = child_environment(options.environment);
  auto argv_pointers = pointers(argv);
  auto environment_pointers = pointers(environment);
  pid_t pid = 0;
  int spawned = ::posix_spawnp(&pid, argv_pointers[0], &setup.actions, &setup.attributes,
                               argv_pointers.data(), environment_pointers.data());
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (spawned != 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    return fail(Error::retriable(fmt::format("cannot start {}: {}", what, errno_text(spawned))));
  }
  // Our ends never block: every wait happens in poll(), under a deadline.
  ::fcntl(to_child[1], F_SETFL, O_NONBLOCK);
  ::fcntl(from_child[0], F_SETFL, O_NONBLOCK);
  // Through syscall(): glibc 2.36's <sys/pidfd.h> lacks C linkage for C++.
  int pid_fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, to_child[1], from_child[0], pid_fd));
}

ChildProcess::ChildProcess(pid_t pid, int stdin_fd, int stdout_fd, int pid_fd)
    : pid_(pid), stdin_fd_(stdin_fd), stdout_fd_(stdout_fd), pid_fd_(pid_fd) {}

ChildProcess::~ChildProcess() {
  kill();
}

ChildIo<void> ChildProcess::write(std::string_view bytes, Deadline deadline) {
  if (stdin_fd_ < 0) return io_error(ChildIoError::Kind::closed, "its input is closed");
  while (!bytes.empty()) {
    std::array<pollfd, 2> fds = {pollfd{stdin_fd_, POLLOUT, 0},
                                 pollfd{stdout_closed_ ? -1 : stdout_fd_, POLLIN, 0}};
    if (auto ready = poll_until(fds, deadline); !ready) return ready;
    if (fds[1].revents != 0) {
      // Its answer (or anything else it writes) is kept for read_line; at its end of output
      // we go on writing until the pipe breaks.
      auto drained = read_available();
      if (!drained && drained.error().kind == ChildIoError::Kind::failed) return drained;
    }
    if (fds[0].revents == 0) continue;
    ssize_t written = ::write(stdin_fd_, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      if (errno == EPIPE) return io_error(ChildIoError::Kind::closed, "it closed its input");
      return io_error(ChildIoError::Kind::failed, "write: " + errno_text(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return {};
}

ChildIo<std::string> ChildProcess::read_line(Deadline deadline) {
  while (true) {
    size_t end = buffer_.find('\n', scanned_);
    if (end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      scanned_ = 0;
      if (line.ends_with('\r')) line.pop_back();
      return line;
    }
    scanned_ = buffer_.size();
    if (stdout_closed_) return io_error(ChildIoError::Kind::closed, "it closed its output");
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (auto ready = poll_until(std::span(&fd, 1), deadline); !ready) {
      return std::unexpected(ready.error());
    }
    auto drained = read_available();
    if (!drained && drained.error().kind == ChildIoError::Kind::failed) {
      return std::unexpected(drained.error());
    }
  }
}

ChildIo<void> ChildProcess::read_available() {
  std::array<char, 64 * 1024> chunk;
  while (true) {
    ssize_t got = ::read(stdout_fd_, chunk.data(), chunk.size());
    if (got > 0) {
      buffer_.append(chunk.data(), static_cast<size_t>(got));
      if (static_cast<size_t>(got) < chunk.size()) return {};
      continue;
    }
    if (got == 0) {
      stdout_closed_ = true;
      return io_error(ChildIoError::Kind::closed, "it closed its output");
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return {};
    return io_error(ChildIoError::Kind::failed, "read: " + errno_text(errno));
  }
}

ChildProcess::State ChildProcess::state() {
  if (ended_ || stdout_closed_ || stdin_fd_ < 0) return State::exited;
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
      info.si_pid != 0) {
    return State::exited;
  }
  pollfd fd{stdout_fd_, POLLIN, 0};
  if (::poll(&fd, 1, 0) > 0) (void)read_available();
  if (!buffer_.empty()) return State::stray_output;
  return stdout_closed_ ? State::exited : State::ready;
}

bool ChildProcess::wait_exit(Deadline deadline) {
  while (true) {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      if (errno == EINTR) continue;
      return true;  // ECHILD: nothing left to wait for
    }
    if (info.si_pid != 0) return true;
    if (Clock::now() >= deadline) return false;
    // Wake when it exits (its pidfd turns readable), and keep draining what it writes meanwhile
    // so that it cannot block on a full pipe while it winds down.
    std::array<pollfd, 2> fds = {pollfd{pid_fd_, POLLIN, 0},
                                 pollfd{stdout_closed_ ? -1 : stdout_fd_, POLLIN, 0}};
    int timeout = pid_fd_ >= 0 ? remaining_ms(deadline) : std::min(remaining_ms(deadline), 10);
    if (::poll(fds.data(), fds.size(), timeout) > 0 && fds[1].revents != 0) {
      (void)read_available();
      buffer_.clear();
      scanned_ = 0;
    }
  }
}

std::string ChildProcess::stop(Deadline deadline) {
  if (ended_) return *ended_;
  close_fd(stdin_fd_);
  wait_exit(deadline);
  // The group id stays ours until the leader is reaped, so this cannot hit a stranger.
  ::kill(-pid_, SIGKILL);
  int status = 0;
  pid_t reaped = 0;
  do {
    reaped = ::waitpid(pid_, &status, 0);
  } while (reaped < 0 && errno == EINTR);
  ended_ = reaped == pid_ ? describe_status(status) : std::string("ended");
  close_fd(stdout_fd_);
  close_fd(pid_fd_);
  return *ended_;
}

}  // namespace shardpipe
