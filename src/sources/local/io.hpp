// Thin POSIX wrappers that turn failures into LogError(io) naming the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace shardpipe::local::detail {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset(other.release());
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// Throws LogError(io) for `operation` on `path` with the text of errno `error`.
[[noreturn]] void throw_io_error(std::string_view operation, const std::filesystem::path& path,
                                 int error);

UniqueFd open_file(const std::filesystem::path& path, int flags, unsigned mode = 0644);
// Like open_file, but returns an empty fd instead of throwing when the file does not exist.
UniqueFd open_existing_file(const std::filesystem::path& path, int flags);

void write_all(int fd, const void* data, size_t size, const std::filesystem::path& path);
void pwrite_all(int fd, const void* data, size_t size, uint64_t offset,
                const std::filesystem::path& path);
// Reads up to `size` bytes at `offset`, fewer only at the end of the file.
size_t pread_full(int fd, void* data, size_t size, uint64_t offset,
                  const std::filesystem::path& path);
uint64_t file_size(int fd, const std::filesystem::path& path);
void sync_data(int fd, const std::filesystem::path& path);
void truncate_file(int fd, uint64_t size, const std::filesystem::path& path);
// Makes a directory entry (a created or renamed file) durable.
void sync_directory(const std::filesystem::path& dir);
// Creates `dir` (one level) if missing; returns true when it created it.
bool make_directory(const std::filesystem::path& dir);

// Writes `contents` to `path` atomically: a temporary file, fsync, rename over, fsync the
// directory.
void replace_file_atomically(const std::filesystem::path& path, std::string_view contents);

}  // namespace shardpipe::local::detail
