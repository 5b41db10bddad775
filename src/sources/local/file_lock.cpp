#include "sources/local/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "sources/local/paths.hpp"

namespace shardpipe::local::detail {

DirectoryLock::DirectoryLock(const std::filesystem::path& dir)
    : path_(lock_path(dir)), fd_(open_file(path_, O_RDWR | O_CREAT)) {}

DirectoryLock::Held::Held(DirectoryLock& lock) : lock_(lock) {
  // Blocking: operations are short, so waiting is better than failing with `busy`.
  while (::flock(lock_.fd_.get(), LOCK_EX) != 0) {
    if (errno != EINTR) {
      throw_io_error("cannot lock", lock_.path_, errno);
    }
  }
}

DirectoryLock::Held::~Held() {
  ::flock(lock_.fd_.get(), LOCK_UN);
}

}  // namespace shardpipe::local::detail
