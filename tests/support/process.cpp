#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace shardpipe::testing {
namespace {

std::vector<char*> c_args(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  return args;
}

std::string drain(int fd) {
  std::string text;
  char buffer[65536];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

// Reaps `pid`, killing it first once `deadline` has passed (if there is one). Only this thread
// waits for the child, so the pid cannot be reused by another process before it is killed.
int reap(pid_t pid, std::optional<std::chrono::steady_clock::time_point> deadline,
         bool& timed_out) {
  if (!deadline) return wait_process(pid);
  while (true) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return decode_status(status);
    if (done < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() >= *deadline) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      return wait_process(pid);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Completed run(const std::vector<std::string>& argv, const std::string& input,
              std::optional<std::chrono::milliseconds> timeout) {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (timeout) deadline = std::chrono::steady_clock::now() + *timeout;
  // Close-on-exec: a process that another thread starts meanwhile must not inherit these ends,
  // or the reads below wait for it to exit (dup2 clears the flag on the child's 0, 1 and 2).
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) {
    throw std::runtime_error("pipe failed");
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
    auto args = c_args(argv);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  std::thread writer([fd = in[1], &input] {
    std::string_view rest = input;
    while (!rest.empty()) {
      ssize_t n = ::write(fd, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      rest.remove_prefix(static_cast<size_t>(n));
    }
    ::close(fd);
  });
  Completed completed;
  std::thread reaper([&] { completed.exit_code = reap(pid, deadline, completed.timed_out); });
  std::thread err_reader([&] { completed.err = drain(err[0]); });
  completed.out = drain(out[0]);
  err_reader.join();
  writer.join();
  reaper.join();
  ::close(out[0]);
  ::close(err[0]);
  return completed;
}

}  // namespace

Completed run_process(const std::vector<std::string>& argv, const std::string& input) {
  return run(argv, input, std::nullopt);
}

Completed run_process_for(std::chrono::milliseconds timeout, const std::vector<std::string>& argv,
                          const std::string& input) {
  return run(argv, input, timeout);
}

pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& log_file) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ::dup2(null, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    auto args = c_args(argv);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

int wait_process(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return decode_status(status);
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     std::filesystem::path log_file)
    : pid_(spawn_process(argv, log_file)), log_file_(std::move(log_file)) {}

BackgroundProcess::~BackgroundProcess() {
  if (exit_code_) return;
  if (running()) ::kill(pid_, SIGKILL);
  wait_process(pid_);  // reap it, whether it was killed here or had exited unobserved
}

bool BackgroundProcess::running() {
  if (exit_code_) return false;
  // WNOWAIT leaves the child a zombie, so its pid stays ours until wait_for reaps it.
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
    return false;
  return info.si_pid == 0;
}

void BackgroundProcess::signal(int number) {
  if (running()) ::kill(pid_, number);
}

std::optional<int> BackgroundProcess::wait_for(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exit_code_) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = decode_status(status);
    } else if (done < 0 && errno != EINTR) {
      exit_code_ = -1;
    } else if (std::chrono::steady_clock::now() >= deadline) {
      return std::nullopt;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return exit_code_;
}

std::string BackgroundProcess::output() const {
  return read_file(log_file_);
}

std::filesystem::path fresh_test_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("shardpipe-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << text;
}

}  // namespace shardpipe::testing
