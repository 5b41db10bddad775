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
#include "targets/dead_letter/dead_letter_file.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;

// Opens, locks and closes the shard's file for every write: dead letters are rare, and holding
// no descriptor between writes lets `dlq replay` rewrite the file safely (dead_letter_file.hpp).
class FileDeadLetters final : public DeadLetterDestination {
 public:
  FileDeadLetters(fs::path folder, std::string pipe)
      : folder_(std::move(folder)), pipe_(std::move(pipe)) {}

  Status write(std::span<const DeadLetter> letters) override {
    std::lock_guard lock(mutex_);
    std::map<std::string, std::string> by_shard;
    int64_t now = unix_now_ms();
    for (const auto& letter : letters) {
      auto& text = by_shard[letter.shard_id];
      text += render_dead_letter(letter, pipe_, now);
      text += '\n';
    }
    std::error_code ec;
    fs::create_directories(folder_, ec);
    if (ec) {
      return fail(Error::retriable(
          fmt::format("dead letters: creating {}: {}", folder_.string(), ec.message())));
    }
    for (const auto& [shard, text] : by_shard) {
      auto file = LockedDeadLetterFile::open(folder_ / (shard + ".jsonl"));
      if (!file) return fail(file.error());
      if (auto written = file->append(text); !written) return written;
    }
    return {};
  }

 private:
  std::mutex mutex_;
  fs::path folder_;
  std::string pipe_;
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
