// How far behind the tip each shard's last read was, as the service said (Kinesis'
// MillisBehindLatest) or as the records' ages show (DynamoDB Streams): kept by the readers, for
// Source::lag(), since these services cannot count the records behind a checkpoint and asking
// again would spend the shard's call budget. Shared by the readers' threads.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "sources/source.hpp"

namespace shardpipe {

class MillisBehindByShard {
 public:
  void record(const std::string& shard_id, int64_t millis_behind) {
    std::lock_guard lock(mutex_);
    by_shard_[shard_id] = millis_behind;
  }

  std::optional<int64_t> of(const std::string& shard_id) const {
    std::lock_guard lock(mutex_);
    auto found = by_shard_.find(shard_id);
    if (found == by_shard_.end()) return std::nullopt;
    return found->second;
  }

  ShardLag lag(const std::string& shard_id) const { return {.millis_behind = of(shard_id)}; }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int64_t> by_shard_;
};

}  // namespace shardpipe
