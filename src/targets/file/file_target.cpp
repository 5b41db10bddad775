#include "targets/file/file_target.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/sequence_number.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view temp_suffix = ".tmp";

Error io_error(const std::string& what, const fs::path& path) {
  // Full disks and permission problems can be fixed by an operator while the pipe waits.
  return Error::retriable(fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)));
}

Status fsync_path(const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return fail(io_error("opening", path));
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (rc != 0) return fail(io_error("syncing", path));
  return {};
}

// Writes `content` to `final_path` atomically and durably.
Status write_file_durably(const fs::path& final_path, std::string_view content) {
  fs::path temp_path = final_path;
  temp_path += temp_suffix;
  int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(io_error("creating", temp_path));
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error error = io_error("writing", temp_path);
      ::close(fd);
      ::unlink(temp_path.c_str());  // do not leave a partial file behind a full disk
      return fail(error);
    }
    content.remove_prefix(static_cast<size_t>(n));
  }
  if (::fdatasync(fd) != 0) {
    Error error = io_error("syncing", temp_path);
    ::close(fd);
    ::unlink(temp_path.c_str());
    return fail(error);
  }
  ::close(fd);
  if (::rename(temp_path.c_str(), final_path.c_str()) != 0)
    return fail(io_error("renaming", temp_path));
  return fsync_path(final_path.parent_path(), O_RDONLY | O_DIRECTORY);
}

class FileSink final : public ShardSink {
 public:
  FileSink(fs::path dir, size_t records_per_file)
      : dir_(std::move(dir)), records_per_file_(records_per_file) {}

  DeliveryOutcome deliver(std::span<const Record> batch) override {
    DeliveryOutcome outcome;
    if (full() && !write_current(outcome)) return outcome;
    for (const auto& record : batch) {
      if (ordinals_.empty()) first_sequence_ = record.sequence_number;
      content_.append(record.envelope);
      content_.push_back('\n');
      ordinals_.push_back(record.ordinal);
      ++outcome.accepted;
      if (full() && !write_current(outcome)) return outcome;
    }
    return outcome;
  }

  DeliveryOutcome flush() override {
    DeliveryOutcome outcome;
    if (!ordinals_.empty()) {
      bool partial = !full();
      if (write_current(outcome)) outcome.checkpoint_now = partial;
    }
    return outcome;
  }

  size_t pending() const override { return ordinals_.size(); }
  bool buffering() const override { return true; }

 private:
  bool full() const { return ordinals_.size() >= records_per_file_; }

  // Writes the buffered file; on failure keeps it buffered for the next attempt.
  bool write_current(DeliveryOutcome& outcome) {
    auto written = write_file_durably(dir_ / file_target_name(first_sequence_), content_);
    if (!written) {
      outcome.error = written.error();
      return false;
    }
    outcome.delivered.insert(outcome.delivered.end(), ordinals_.begin(), ordinals_.end());
    content_.clear();
    ordinals_.clear();
    return true;
  }

  fs::path dir_;
  size_t records_per_file_;
  std::string first_sequence_;
  std::string content_;
  std::vector<uint64_t> ordinals_;
};

class FileTarget final : public Target {
 public:
  FileTarget(fs::path path, int records_per_file)
      : path_(std::move(path)), records_per_file_(static_cast<size_t>(records_per_file)) {}

  Result<std::unique_ptr<ShardSink>> open_shard(const std::string& shard_id) override {
    fs::path dir = path_ / shard_id;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      return fail(Error::retriable(
          fmt::format("creating the target folder {}: {}", dir.string(), ec.message())));
    }
    // A crash can leave a temporary file; its records were never reported delivered.
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == temp_suffix) fs::remove(entry.path(), ec);
    }
    return std::make_unique<FileSink>(dir, records_per_file_);
  }

 private:
  fs::path path_;
  size_t records_per_file_;
};

}  // namespace

std::string file_target_name(const std::string& first_sequence) {
  // "SEQ:N" (a record inside a KPL aggregate) becomes SEQ-<N in 10 digits>: a colon in a file
  // name trips up scp, rsync and other systems' file systems, and the padding keeps name order
  // the records' order ("SEQ.jsonl", the aggregate's last record, sorts after every "SEQ-").
  auto [sequence, sub] = split_sub_sequence(first_sequence);
  std::string name;
  if (sequence.size() < 20) name.assign(20 - sequence.size(), '0');
  name += sequence;
  if (!sub.empty()) {
    name += '-';
    if (sub.size() < 10) name.append(10 - sub.size(), '0');
    name += sub;
  }
  name += ".jsonl";
  return name;
}

std::unique_ptr<Target> make_file_target(const fs::path& path, int records_per_file) {
  return std::make_unique<FileTarget>(path, records_per_file);
}

}  // namespace shardpipe
