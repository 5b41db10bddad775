#include "sources/local/io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "sources/local/local_log.hpp"

namespace shardpipe::local::detail {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  fd_ = fd;
}

void throw_io_error(std::string_view operation, const std::filesystem::path& path, int error) {
  throw LogError(LogErrorCode::io,
                 std::string(operation) + " " + path.string() + ": " + std::strerror(error));
}

UniqueFd open_file(const std::filesystem::path& path, int flags, unsigned mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ENOENT) {
      throw LogError(LogErrorCode::not_found,
                     "cannot open " + path.string() + ": no such file or directory");
    }
    throw_io_error("cannot open", path, errno);
  }
  return UniqueFd(fd);
}

UniqueFd open_existing_file(const std::filesystem::path& path, int flags) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno != ENOENT) {
    throw_io_error("cannot open", path, errno);
  }
  return UniqueFd(fd);
}

void write_all(int fd, const void* data, size_t size, const std::filesystem::path& path) {
  auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t written = ::write(fd, bytes, size);
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_io_error("cannot write", path, errno);
    }
    bytes += written;
    size -= static_cast<size_t>(written);
  }
}

void pwrite_all(int fd, const void* data, size_t size, uint64_t offset,
                const std::filesystem::path& path) {
  auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t written = ::pwrite(fd, bytes, size, static_cast<off_t>(offset));
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_io_error("cannot write", path, errno);
    }
    bytes += written;
    offset += static_cast<uint64_t>(written);
    size -= static_cast<size_t>(written);
  }
}

size_t pread_full(int fd, void* data, size_t size, uint64_t offset,
                  const std::filesystem::path& path) {
  auto* bytes = static_cast<char*>(data);
  size_t total = 0;
  while (total < size) {
    ssize_t got = ::pread(fd, bytes + total, size - total, static_cast<off_t>(offset + total));
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_io_error("cannot read", path, errno);
    }
    if (got == 0) {
      break;
    }
    total += static_cast<size_t>(got);
  }
  return total;
}

uint64_t file_size(int fd, const std::filesystem::path& path) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    throw_io_error("cannot stat", path, errno);
  }
  return static_cast<uint64_t>(info.st_size);
}

void sync_data(int fd, const std::filesystem::path& path) {
  while (::fdatasync(fd) != 0) {
    if (errno != EINTR) {
      throw_io_error("cannot fsync", path, errno);
    }
  }
}

void truncate_file(int fd, uint64_t size, const std::filesystem::path& path) {
  while (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    if (errno != EINTR) {
      throw_io_error("cannot truncate", path, errno);
    }
  }
}

void sync_directory(const std::filesystem::path& dir) {
  UniqueFd fd = open_file(dir, O_RDONLY | O_DIRECTORY);
  while (::fsync(fd.get()) != 0) {
    if (errno != EINTR) {
      throw_io_error("cannot fsync directory", dir, errno);
    }
  }
}

bool make_directory(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0) {
    return true;
  }
  if (errno == EEXIST) {
    return false;
  }
  throw_io_error("cannot create directory", dir, errno);
}

void replace_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    UniqueFd fd = open_file(temporary, O_WRONLY | O_CREAT | O_TRUNC);
    write_all(fd.get(), contents.data(), contents.size(), temporary);
    sync_data(fd.get(), temporary);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    throw_io_error("cannot rename to", path, errno);
  }
  sync_directory(path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path());
}

}  // namespace shardpipe::local::detail
