// DIR/log.json: the shard table, stored in the ListShards shape plus a generation counter.
// Only writers holding the directory lock replace it, always atomically, and every change adds
// shards, so the file never shrinks.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>

#include "sources/local/local_log.hpp"

namespace shardpipe::local::detail {

struct StoredLayout {
  LogLayout layout;
  uint64_t generation = 0;  // +1 at every save
};

StoredLayout read_layout(const std::filesystem::path& dir);  // throws not_found / corrupt
// The caller holds the directory lock.
void write_layout(const std::filesystem::path& dir, const StoredLayout& stored);

uint64_t next_shard_number(const LogLayout& layout);

// Keeps a loaded layout and reloads it only when log.json was replaced (cheap stat check).
class LayoutWatcher {
 public:
  explicit LayoutWatcher(std::filesystem::path dir);

  bool refresh();  // true when it reloaded
  const StoredLayout& stored() const { return stored_; }
  const LogLayout& layout() const { return stored_.layout; }

 private:
  struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    int64_t modified_ns = 0;
    bool operator==(const FileIdentity&) const = default;
  };

  std::filesystem::path dir_;
  FileIdentity identity_;
  StoredLayout stored_;
};

}  // namespace shardpipe::local::detail
