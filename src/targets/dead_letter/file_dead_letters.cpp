#include "targets/dead_letter/file_dead_letters.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "core/clock.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;

Error io_error(const std::string& what, const fs::path& path) {
  return Error::retriable(
      fmt::format("dead letters: {} {}: {}", what, path.string(), std::strerror(errno)));
}

class FileDeadLetters final : public DeadLetterDestination {
 public:
  FileDeadLetters(fs::path folder, std::string pipe)
      : folder_(std::move(folder)), pipe_(std::move(pipe)) {}
  ~FileDeadLetters() override {
    for (auto& [shard, fd] : files_) ::close(fd);
  }

  Status write(std::span<const DeadLetter> letters) override {
    std::lock_guard lock(mutex_);
    std::map<std::string, std::string> by_shard;
    int64_t now = unix_now_ms();
    for (const auto& letter : letters) {
      auto& text = by_shard[letter.shard_id];
      text += render_dead_letter(letter, pipe_, now);
      text += '\n';
    }
    for (const auto& [shard, text] : by_shard) {
      if (auto written = append(shard, text); !written) return written;
    }
    return {};
  }

 private:
  Status append(const std::string& shard, std::string_view text) {
    auto file = folder_ / (shard + ".jsonl");
    auto fd = open_file(shard, file);
    if (!fd) return fail(fd.error());
    struct stat before {};
    ::fstat(*fd, &before);
    while (!text.empty()) {
      ssize_t n = ::write(*fd, text.data(), text.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Error error = io_error("writing", file);
        // Leave no partial entry behind: the caller writes the whole set again.
        (void)::ftruncate(*fd, before.st_size);
        return fail(error);
      }
      text.remove_prefix(static_cast<size_t>(n));
    }
    if (::fdatasync(*fd) != 0) {
      Error error = io_error("syncing", file);
      (void)::ftruncate(*fd, before.st_size);
      return fail(error);
    }
    return {};
  }

  Result<int> open_file(const std::string& shard, const fs::path& file) {
    if (auto found = files_.find(shard); found != files_.end()) return found->second;
    std::error_code ec;
    fs::create_directories(folder_, ec);
    if (ec)
      return fail(Error::retriable(
          fmt::format("dead letters: creating {}: {}", folder_.string(), ec.message())));
    bool existed = fs::exists(file);
    if (existed && !cut_partial_last_line(file)) return fail(io_error("repairing", file));
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return fail(io_error("opening", file));
    if (!existed) {
      int dir = ::open(folder_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
      }
    }
    files_[shard] = fd;
    return fd;
  }

  std::mutex mutex_;
  fs::path folder_;
  std::string pipe_;
  std::map<std::string, int> files_;
};

}  // namespace

bool cut_partial_last_line(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    ::close(fd);
    return false;
  }
  off_t end = info.st_size;
  char buffer[4096];
  off_t keep = 0;
  // Walk back from the end to the last newline.
  for (off_t pos = end; pos > 0;) {
    off_t start =
        pos > static_cast<off_t>(sizeof buffer) ? pos - static_cast<off_t>(sizeof buffer) : 0;
    ssize_t n = ::pread(fd, buffer, static_cast<size_t>(pos - start), start);
    if (n <= 0) break;
    for (ssize_t i = n - 1; i >= 0; --i) {
      if (buffer[i] == '\n') {
        keep = start + i + 1;
        pos = 0;
        break;
      }
    }
    if (pos != 0) pos = start;
  }
  bool ok = keep == end || (::ftruncate(fd, keep) == 0 && ::fdatasync(fd) == 0);
  ::close(fd);
  return ok;
}

std::unique_ptr<DeadLetterDestination> make_file_dead_letters(const fs::path& folder,
                                                              const std::string& pipe) {
  return std::make_unique<FileDeadLetters>(folder, pipe);
}

}  // namespace shardpipe
