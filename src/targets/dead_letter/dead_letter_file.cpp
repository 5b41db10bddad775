#include "targets/dead_letter/dead_letter_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "targets/dead_letter/file_dead_letters.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;

Error io_error(const std::string& what, const fs::path& path) {
  return Error::retriable(
      fmt::format("dead letters: {} {}: {}", what, path.string(), std::strerror(errno)));
}

Status write_all(int fd, std::string_view text, const fs::path& file) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(io_error("writing", file));
    text.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

void sync_folder(const fs::path& folder) {
  int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  ::fsync(dir);
  ::close(dir);
}

Result<LockedDeadLetterFile> LockedDeadLetterFile::open(const fs::path& file) {
  while (true) {
    bool existed = fs::exists(file);
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return fail(io_error("opening", file));
    if (!existed) sync_folder(file.parent_path());
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        Error error = io_error("locking", file);
        ::close(fd);
        return fail(error);
      }
    }
    // Replaced while we waited for the lock: the path names another file now.
    struct stat opened {};
    struct stat named {};
    if (::fstat(fd, &opened) == 0 && ::stat(file.c_str(), &named) == 0 &&
        opened.st_ino == named.st_ino && opened.st_dev == named.st_dev) {
      LockedDeadLetterFile locked(file, fd);
      if (!cut_partial_last_line(file)) return fail(io_error("repairing", file));
      return locked;
    }
    ::close(fd);
  }
}

LockedDeadLetterFile::LockedDeadLetterFile(LockedDeadLetterFile&& other) noexcept
    : file_(std::move(other.file_)), fd_(std::exchange(other.fd_, -1)) {}

LockedDeadLetterFile::~LockedDeadLetterFile() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

Status LockedDeadLetterFile::append(std::string_view text) {
  struct stat before {};
  if (::fstat(fd_, &before) != 0) return fail(io_error("reading the size of", file_));
  Status written = write_all(fd_, text, file_);
  if (written && ::fdatasync(fd_) != 0) written = fail(io_error("syncing", file_));
  // Leave no partial entry behind: the caller writes the whole set again.
  if (!written) (void)::ftruncate(fd_, before.st_size);
  return written;
}

Result<std::vector<std::string>> LockedDeadLetterFile::lines() const {
  std::vector<std::string> lines;
  std::string text;
  char buffer[65536];
  off_t offset = 0;
  while (true) {
    ssize_t n = ::pread(fd_, buffer, sizeof buffer, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(io_error("reading", file_));
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  size_t start = 0;
  for (size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

Status LockedDeadLetterFile::replace(const std::vector<std::string>& lines) {
  fs::path temporary = file_;
  temporary += ".replacing";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(io_error("creating", temporary));
  std::string text;
  for (const auto& line : lines) {
    text += line;
    text += '\n';
  }
  Status written = write_all(fd, text, temporary);
  if (written && ::fsync(fd) != 0) written = fail(io_error("syncing", temporary));
  ::close(fd);
  if (written && ::rename(temporary.c_str(), file_.c_str()) != 0) {
    written = fail(io_error("renaming", temporary));
  }
  if (!written) {
    fs::remove(temporary);
    return written;
  }
  sync_folder(file_.parent_path());
  return {};
}

Status remove_dead_letter_lines(const fs::path& file, const std::set<std::string>& remove) {
  auto locked = LockedDeadLetterFile::open(file);
  if (!locked) return fail(locked.error());
  auto lines = locked->lines();
  if (!lines) return fail(lines.error());
  std::vector<std::string> kept;
  for (auto& line : *lines) {
    if (!remove.contains(line)) kept.push_back(std::move(line));
  }
  if (kept.size() == lines->size()) return {};
  return locked->replace(kept);
}

}  // namespace shardpipe
