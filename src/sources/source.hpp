// What every sharded source gives the engine: a shard list with lineage, and per-shard readers
// that return records already rendered as the envelope a target receives (CONTRACT section 3).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coordination/checkpoint_store.hpp"
#include "core/position.hpp"
#include "core/record.hpp"
#include "core/result.hpp"

namespace shardpipe {

struct ShardDescription {
  std::string shard_id;
  std::vector<std::string> parent_shard_ids;  // empty for a shard born with the stream
  bool open = true;                           // false: closed by a reshard, holds a final range
};

struct ReadBatch {
  std::vector<Record> records;
  bool shard_end = false;                // closed shard, everything read: checkpoint it as finished
  std::optional<int64_t> millis_behind;  // how far the last record is behind the shard's tip
};

// How far a checkpoint is behind a shard's tip, for `status`.
struct ShardLag {
  std::optional<uint64_t> records_behind;
  std::optional<int64_t> millis_behind;
};

class ShardReader {
 public:
  virtual ~ShardReader() = default;
  // Up to `max_records` / about `max_bytes`; an empty batch means caught up for now.
  virtual Result<ReadBatch> read(size_t max_records, size_t max_bytes) = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  virtual std::string type() const = 0;  // "local", "kinesis", ...
  virtual Result<std::vector<ShardDescription>> list_shards() = 0;
  virtual Result<std::unique_ptr<ShardReader>> open_shard(const std::string& shard_id,
                                                          const StartPosition& start) = 0;
  // LATEST, resolved now into a checkpoint value that means the same later: the sequence number
  // of the newest record, TRIM_HORIZON for an empty shard, or AT_TIMESTAMP=<now> where the
  // service cannot tell its tip. It is checkpointed at once, so that a restart does not resolve
  // LATEST again and skip what arrived meanwhile.
  virtual Result<std::string> resolve_latest(const std::string& shard_id) = 0;
  // `checkpoint` is a sequence number, or empty for "nothing handled yet".
  virtual Result<ShardLag> lag(const std::string& shard_id, const std::string& checkpoint) = 0;

  // A source whose shards a group coordinator hands out (Kafka's consumer groups) keeps leases
  // and checkpoints itself. `join` makes this process a member; from then on list_shards names
  // only the shards the group gave this worker, and the returned store holds their leases (the
  // assignment) and checkpoints (the committed offsets). Other sources return nullptr: the pipe's
  // checkpoint store keeps them.
  virtual Result<std::unique_ptr<coordination::CheckpointStore>> join(
      const std::string& worker_id) {
    (void)worker_id;
    return std::unique_ptr<coordination::CheckpointStore>();
  }
  // False while a joined source does not know its shards yet (no assignment so far): the pipe
  // is not idle then, whatever it has delivered.
  virtual bool knows_its_shards() const { return true; }
};

}  // namespace shardpipe
