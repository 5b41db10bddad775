// The embedded local log: a durable, sharded, Kinesis-like log in one directory.
//
// Layout of DIR:
//   log.json                      shard table (ids, lineage, hash ranges, sequence ranges, state)
//   LOCK                          flock(2) target: writers (put, split, merge) hold it per commit
//   SEQUENCE                      the log's next sequence number, rewritten under the lock
//   shards/<shardId>/<first sequence, 20 digits>.seg   append-only segments of framed records
//
// Frame: u32 payload length | u32 CRC32C of payload | payload
// Payload: u64 sequence | i64 arrival time (Unix microseconds) | u32 key length | key | data
// All integers little-endian. Sequence numbers come from one counter per log, so they increase
// within a shard and are unique across shards; the first is 1. See README.md in this folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace shardpipe::local {

using uint128 = unsigned __int128;

std::string to_decimal(uint128 value);
std::optional<uint128> parse_uint128(std::string_view decimal);

// MD5 of the partition key read as a big-endian 128-bit number, as Kinesis maps keys to shards.
uint128 hash_key(std::string_view partition_key);

enum class LogErrorCode { not_found, already_exists, corrupt, io, invalid_argument, busy };

// Thrown by every operation of this module; what() names the file (and offset, for corruption).
class LogError : public std::runtime_error {
 public:
  LogError(LogErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  LogErrorCode code() const { return code_; }

 private:
  LogErrorCode code_;
};

struct HashKeyRange {
  uint128 starting_hash_key = 0;
  uint128 ending_hash_key = 0;
  bool contains(uint128 key) const { return key >= starting_hash_key && key <= ending_hash_key; }
};

struct ShardMeta {
  std::string shard_id;  // shardId-000000000000, numbered in creation order
  std::optional<std::string> parent_shard_id;
  std::optional<std::string> adjacent_parent_shard_id;
  HashKeyRange hash_key_range;
  uint64_t starting_sequence = 0;           // first sequence this shard may hold
  std::optional<uint64_t> ending_sequence;  // set when closed: the last sequence it holds
                                            // (starting_sequence - 1 when it holds none)
  bool open() const { return !ending_sequence.has_value(); }
};

// A read-only view of the shard table. Cheap to re-load; readers call refresh() to see reshards.
class LogLayout {
 public:
  static LogLayout load(const std::filesystem::path& dir);  // throws not_found / corrupt
  const std::vector<ShardMeta>& shards() const { return shards_; }
  const ShardMeta* find(std::string_view shard_id) const;
  std::string describe_json() const;  // Kinesis ListShards shape (CONTRACT section 7)

  std::vector<ShardMeta> shards_;
};

// Creates DIR with `shard_count` open shards covering the whole hash-key space evenly.
void create_log(const std::filesystem::path& dir, int shard_count);

struct PutRecord {
  std::string_view partition_key;  // empty: the record is routed by the MD5 of its data
  std::string_view data;
};

struct Appended {
  std::string shard_id;
  uint64_t sequence = 0;
};

// Segment files roll once they reach this size.
inline constexpr uint64_t default_segment_bytes = uint64_t{64} << 20;
// Overrides default_segment_bytes for writers that do not set LogWriterOptions::segment_bytes
// (tests use it to make small segments through the command line).
inline constexpr const char* segment_bytes_environment_variable = "SHARDPIPE_LOG_SEGMENT_BYTES";

struct LogWriterOptions {
  std::optional<uint64_t> segment_bytes;  // nullopt: the environment variable, else the default
};

// Appends records durably. Each append() takes the directory lock, re-reads the shard table if a
// split or merge changed it, recovers torn tails left by a crashed writer, writes all frames, and
// fsyncs each touched segment once (group commit) before returning. Any number of writers, in
// any processes, may share a log; one LogWriter is used by one thread at a time.
class LogWriter {
 public:
  explicit LogWriter(const std::filesystem::path& dir);
  LogWriter(const std::filesystem::path& dir, LogWriterOptions options);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  std::vector<Appended> append(std::span<const PutRecord> records);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Splits an open shard into two children at `new_starting_hash_key` (default: the middle of its
// range). Returns the children's ids.
std::vector<std::string> split_shard(const std::filesystem::path& dir, const std::string& shard_id,
                                     std::optional<uint128> new_starting_hash_key = std::nullopt);

// Merges two open shards with adjacent hash ranges. Returns the child's id.
std::string merge_shards(const std::filesystem::path& dir, const std::string& shard_id,
                         const std::string& adjacent_shard_id);

struct LogRecord {
  uint64_t sequence = 0;
  int64_t arrival_time_us = 0;
  std::string_view partition_key;  // views into the reader's buffer: valid until the next read()
  std::string_view data;
};

struct ReadResult {
  std::vector<LogRecord> records;
  bool shard_end = false;  // the shard is closed and every record it holds has been read
};

// Reads one shard in sequence order. Never takes the lock: it returns only complete frames whose
// CRC matches, waits (returns nothing) at an incomplete tail, and throws `corrupt` with file and
// offset for a bad frame that is followed by more data. One ShardReader is used by one thread at a
// time.
class ShardReader {
 public:
  ShardReader(const std::filesystem::path& dir, std::string shard_id);
  ~ShardReader();
  ShardReader(ShardReader&&) noexcept;
  ShardReader& operator=(ShardReader&&) noexcept;

  void seek_trim_horizon();
  void seek_latest();                        // just after the last record stored now
  void seek_at_sequence(uint64_t sequence);  // first record with sequence >= `sequence`
  void seek_after_sequence(uint64_t sequence);
  void seek_at_timestamp(int64_t unix_ms);  // first record with arrival >= unix_ms

  ReadResult read(size_t max_records, size_t max_bytes);

  // The last sequence stored in the shard now (nullopt if empty) and the count of records after
  // `sequence` (for status: records behind a checkpoint).
  std::optional<uint64_t> last_sequence();
  uint64_t count_after(std::optional<uint64_t> sequence);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace shardpipe::local
