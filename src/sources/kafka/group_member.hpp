// This worker's membership of the pipe's Kafka consumer group: one librdkafka consumer, its poll
// thread, and what the group assigned to it.
//
// - The poll thread polls all the time (also while partitions are paused for backpressure, so the
//   member is never evicted), routes each message to its partition's queue, and serves rebalances.
// - On assignment it resolves where each partition starts: the committed offset, or, for a
//   partition the group never committed, the pipe's starting_position. LATEST and AT_TIMESTAMP are
//   committed at once, so a restart does not resolve them again and skip what arrived meanwhile.
// - On revocation it closes the partitions' queues, refuses any later offset of theirs, and
//   commits what was handled before it gives them up.
// - Offsets are stored only when the engine checkpoints (enable.auto.offset.store=false): the
//   offset after the last handled record. librdkafka commits the stored offsets every
//   auto.commit.interval.ms and when the member leaves.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "sources/kafka/partition_queue.hpp"
#include "sources/kafka/topic_partition.hpp"

struct rd_kafka_s;
struct rd_kafka_topic_partition_list_s;
struct rd_kafka_message_s;

namespace shardpipe::kafka {

struct Assignment {
  std::shared_ptr<PartitionQueue> queue;
  int64_t epoch = 0;       // changes with every assignment: the lease counter
  std::string checkpoint;  // the last handled offset, or TRIM_HORIZON before any
};

struct Watermarks {
  int64_t low = 0;
  int64_t high = 0;
};

class GroupMember {
 public:
  // Connects, checks that the topics exist, subscribes and starts polling.
  static Result<std::shared_ptr<GroupMember>> join(const config::SourceConfig& source,
                                                   const std::string& worker_id);
  ~GroupMember();  // leaves the group, committing what was stored
  GroupMember(const GroupMember&) = delete;
  GroupMember& operator=(const GroupMember&) = delete;

  // False until the group first assigned partitions to this member (maybe none).
  bool assigned_once() const { return assigned_once_.load(); }
  std::vector<TopicPartition> assigned() const;
  std::optional<Assignment> assignment(const TopicPartition& partition) const;
  // Stores `last_handled + 1` for the next commit; false when the partition is no longer assigned
  // under `epoch`.
  Result<bool> store_offset(const TopicPartition& partition, int64_t epoch, int64_t last_handled);
  // Moves the partition's fetch position to `offset` (or a logical offset) and empties its queue.
  Status seek(const TopicPartition& partition, int64_t offset);
  Result<Watermarks> watermarks(const TopicPartition& partition) const;
  Result<int64_t> high_watermark(const TopicPartition& partition) const;
  // The high watermark librdkafka last saw, without asking a broker.
  std::optional<int64_t> cached_high_watermark(const TopicPartition& partition) const;
  Result<int64_t> offset_for_time(const TopicPartition& partition, int64_t unix_ms) const;
  // A problem that stops the pipe (e.g. the group is not authorised), once seen.
  std::optional<Error> fatal_error() const;
  const std::string& bootstrap_servers() const { return bootstrap_servers_; }

  // librdkafka's callback entry (a C function needs a public way in).
  void on_rebalance(int error, rd_kafka_topic_partition_list_s* partitions);

 private:
  GroupMember(rd_kafka_s* consumer, const config::SourceConfig& source);
  void poll_loop();
  void pause_or_resume(const TopicPartition& partition, bool pause);
  // A consumer error: fatal ones stop the pipe, the others are logged now and then.
  void report(const rd_kafka_message_s& message, std::chrono::steady_clock::time_point& last_log);
  void assign(rd_kafka_topic_partition_list_s* partitions);
  void revoke(rd_kafka_topic_partition_list_s* partitions);
  // Offsets for partitions the group never committed, by starting_position; committed at once
  // where they name a moment rather than "the beginning".
  void resolve_uncommitted(rd_kafka_topic_partition_list_s* partitions);
  void apply_assignment(rd_kafka_topic_partition_list_s* partitions, bool incremental, bool assign);

  rd_kafka_s* consumer_;
  std::string bootstrap_servers_;
  config::StartingPosition starting_position_;
  int64_t starting_timestamp_ms_;
  size_t queue_messages_;
  size_t queue_bytes_;

  mutable std::mutex mutex_;  // guards assigned_, next_epoch_, fatal_
  std::map<TopicPartition, Assignment> assigned_;
  int64_t next_epoch_ = 1;
  std::optional<Error> fatal_;
  std::atomic<bool> assigned_once_{false};
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> poll_rounds_{0};
  std::atomic<uint64_t> assignment_version_{0};  // changes with every assignment and revocation
  std::thread poll_thread_;
};

}  // namespace shardpipe::kafka
