// DIR/LOCK: writers (append, split, merge, create) hold an exclusive flock(2) on it for the
// whole operation. Readers never take it. The kernel drops the lock when a process dies.
#pragma once

#include <filesystem>

#include "sources/local/io.hpp"

namespace shardpipe::local::detail {

class DirectoryLock {
 public:
  // Opens (creating if needed) DIR/LOCK; does not lock yet.
  explicit DirectoryLock(const std::filesystem::path& dir);

  // Holds the lock until destroyed.
  class Held {
   public:
    explicit Held(DirectoryLock& lock);
    ~Held();
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;

   private:
    DirectoryLock& lock_;
  };

  [[nodiscard]] Held hold() { return Held(*this); }

 private:
  std::filesystem::path path_;
  UniqueFd fd_;
};

}  // namespace shardpipe::local::detail
