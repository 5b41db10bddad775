#include "targets/file/file_target.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "targets/unit_name.hpp"
#include "targets/unit_sink.hpp"

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

class FileSink final : public UnitSink {
 public:
  FileSink(fs::path dir, size_t records_per_file)
      : UnitSink(records_per_file), dir_(std::move(dir)) {}

 private:
  Status write_unit(const std::string& first_sequence, std::string_view content) override {
    return write_file_durably(dir_ / file_target_name(first_sequence), content);
  }

  fs::path dir_;
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
  return unit_name_stem(first_sequence) + ".jsonl";
}

std::unique_ptr<Target> make_file_target(const fs::path& path, int records_per_file) {
  return std::make_unique<FileTarget>(path, records_per_file);
}

}  // namespace shardpipe
