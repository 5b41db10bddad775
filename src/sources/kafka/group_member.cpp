#include "sources/kafka/group_member.hpp"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>

#include "kafka/client_config.hpp"
#include "sources/kafka/partition_list.hpp"

namespace shardpipe::kafka {
namespace {

using namespace std::chrono_literals;
void rebalance_callback(rd_kafka_t*, rd_kafka_resp_err_t error,
                        rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<GroupMember*>(opaque)->on_rebalance(error, partitions);
}

std::string checkpoint_before(int64_t next_offset) {
  return next_offset > 0 ? std::to_string(next_offset - 1) : "TRIM_HORIZON";
}

// Errors a consumer cannot get past by waiting.
bool is_fatal_consumer_error(rd_kafka_resp_err_t error) {
  switch (error) {
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_INVALID_GROUP_ID:
    case RD_KAFKA_RESP_ERR__FATAL:
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<std::shared_ptr<GroupMember>> GroupMember::join(const config::SourceConfig& source,
                                                       const std::string& worker_id) {
  ClientSettings settings{
      .what = "source.properties",
      .bootstrap_servers = source.bootstrap_servers,
      .properties = source.properties,
      .protected_settings = kafka::protect(config::kafka_consumer_safety),
      .defaults =
          {
              {"partition.assignment.strategy", "cooperative-sticky"},
              {"auto.commit.interval.ms", "1000"},
              {"client.id", worker_id},
              {"auto.offset.reset", source.starting_position == config::StartingPosition::latest
                                        ? "latest"
                                        : "earliest"},
              {"enable.partition.eof", "false"},
          },
  };
  settings.protected_settings.push_back(
      {"group.id", source.consumer_group, "the consumer group is set with source.consumer_group"});
  auto conf = make_client_conf(settings);
  if (!conf) return fail(conf.error());
  char error[512] = {};
  // The member is created before the consumer, so the callback's opaque can point at it.
  auto member = std::shared_ptr<GroupMember>(new GroupMember(nullptr, source));
  rd_kafka_conf_set_rebalance_cb(conf->get(), rebalance_callback);
  rd_kafka_conf_set_opaque(conf->get(), member.get());
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), error, sizeof error);
  if (!consumer) return fail(Error::fatal(fmt::format("kafka consumer: {}", error)));
  (void)conf->release();  // owned by the consumer now
  member->consumer_ = consumer;
  rd_kafka_poll_set_consumer(consumer);
  // A missing topic stops the pipe now; unreachable brokers do not: the consumer keeps trying.
  if (auto listed = topic_partitions(consumer, source.topics, member->bootstrap_servers_);
      !listed) {
    if (listed.error().kind == ErrorClass::fatal) return fail(listed.error());
    spdlog::warn("{} (the consumer keeps trying)", listed.error().message);
  }
  PartitionList topics(rd_kafka_topic_partition_list_new(static_cast<int>(source.topics.size())));
  for (const auto& topic : source.topics) {
    rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (auto failed = rd_kafka_subscribe(consumer, topics.get())) {
    return fail(Error::fatal(fmt::format(
        "kafka: subscribing to {}: {}", fmt::join(source.topics, ", "), rd_kafka_err2str(failed))));
  }
  spdlog::info("kafka: joining consumer group {} for {} on {}", source.consumer_group,
               fmt::join(source.topics, ", "), member->bootstrap_servers_);
  member->poll_thread_ = std::thread([raw = member.get()] { raw->poll_loop(); });
  return member;
}

GroupMember::GroupMember(rd_kafka_s* consumer, const config::SourceConfig& source)
    : consumer_(consumer),
      bootstrap_servers_(join_servers(source.bootstrap_servers)),
      starting_position_(source.starting_position),
      starting_timestamp_ms_(source.starting_position_timestamp_ms),
      // Room for a few batches per partition: enough to keep the delivery busy, bounded so
      // that a slow target pauses fetching instead of filling memory.
      queue_messages_(std::max<size_t>(2000, 4 * static_cast<size_t>(source.batch_size))),
      queue_bytes_(std::max<uint64_t>(8ull << 20, 2 * source.maximum_batch_bytes)) {}

GroupMember::~GroupMember() {
  stop_ = true;
  if (poll_thread_.joinable()) poll_thread_.join();
  if (!consumer_) return;
  // Leaving the group revokes every partition (committing what was handled) and commits the
  // stored offsets once more.
  if (auto error = rd_kafka_consumer_close(consumer_)) {
    spdlog::warn("kafka: leaving the consumer group: {}", rd_kafka_err2str(error));
  }
  {
    std::lock_guard lock(mutex_);
    for (auto& [partition, assignment] : assigned_) assignment.queue->close();
    assigned_.clear();
  }
  rd_kafka_destroy(consumer_);
}

void GroupMember::poll_loop() {
  auto last_error_log = std::chrono::steady_clock::time_point{};
  // The queue of the partition the last message came from: messages arrive in runs per
  // partition, so most need no look-up (and no lock) at all. An assignment change drops it.
  TopicPartition cached_partition;
  std::shared_ptr<PartitionQueue> cached_queue;
  uint64_t cached_version = 0;
  unsigned since_resume_check = 0;
  while (!stop_.load()) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_, 100);
    const bool polled_a_message = message != nullptr;
    poll_rounds_.fetch_add(1);
    if (message) {
      if (message->err) {
        report(*message, last_error_log);
      } else {
        if (cached_version != assignment_version_.load() || !cached_queue ||
            cached_partition.partition != message->partition ||
            cached_partition.topic != rd_kafka_topic_name(message->rkt)) {
          cached_partition = {rd_kafka_topic_name(message->rkt), message->partition};
          cached_version = assignment_version_.load();
          std::lock_guard lock(mutex_);
          auto found = assigned_.find(cached_partition);
          cached_queue = found == assigned_.end() ? nullptr : found->second.queue;
        }
        if (cached_queue && cached_queue->push(ConsumedMessage(message))) {
          pause_or_resume(cached_partition, true);
        }
        message = nullptr;  // the queue owns it, or dropped it
      }
      if (message) rd_kafka_message_destroy(message);
    }
    // Partitions whose readers made room again: looked for now and then, and whenever idle.
    if (polled_a_message && ++since_resume_check < 512) continue;
    since_resume_check = 0;
    std::vector<TopicPartition> resume;
    {
      std::lock_guard lock(mutex_);
      for (auto& [partition, assignment] : assigned_) {
        if (assignment.queue->take_resume_request()) resume.push_back(partition);
      }
    }
    for (const auto& partition : resume) pause_or_resume(partition, false);
  }
}

void GroupMember::pause_or_resume(const TopicPartition& partition, bool pause) {
  PartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), partition.topic.c_str(), partition.partition);
  if (pause) {
    rd_kafka_pause_partitions(consumer_, list.get());
  } else {
    rd_kafka_resume_partitions(consumer_, list.get());
  }
}

void GroupMember::report(const rd_kafka_message_t& message,
                         std::chrono::steady_clock::time_point& last_log) {
  auto error = message.err;
  if (is_fatal_consumer_error(error)) {
    std::lock_guard lock(mutex_);
    if (!fatal_) {
      fatal_ = Error::fatal(fmt::format("kafka consumer: {}", rd_kafka_message_errstr(&message)));
    }
  } else if (error != RD_KAFKA_RESP_ERR__PARTITION_EOF &&
             std::chrono::steady_clock::now() - last_log > 5s) {
    // Broker outages and the like: librdkafka recovers by itself; say so now and then.
    last_log = std::chrono::steady_clock::now();
    spdlog::warn("kafka consumer: {}", rd_kafka_message_errstr(&message));
  }
}

void GroupMember::on_rebalance(int error, rd_kafka_topic_partition_list_s* partitions) {
  if (error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    assign(partitions);
  } else if (error == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    revoke(partitions);
  } else {
    spdlog::warn("kafka: rebalance failed: {}",
                 rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(error)));
    revoke(partitions);
  }
}

void GroupMember::assign(rd_kafka_topic_partition_list_s* partitions) {
  // Where each partition starts: its committed offset, asked for until the coordinator answers
  // (starting elsewhere could skip or repeat records).
  for (int attempt = 1;; ++attempt) {
    auto error = rd_kafka_committed(consumer_, partitions, request_timeout_ms);
    if (!error) break;
    spdlog::warn("kafka: reading the group's committed offsets (attempt {}): {}", attempt,
                 rd_kafka_err2str(error));
    if (stop_.load() && attempt >= 3) break;
    std::this_thread::sleep_for(std::min(attempt, 10) * 200ms);
  }
  resolve_uncommitted(partitions);
  {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < partitions->cnt; ++i) {
      const auto& entry = partitions->elems[i];
      TopicPartition partition{entry.topic, entry.partition};
      int64_t start = entry.offset >= 0 ? entry.offset : 0;
      Assignment assignment{
          .queue = std::make_shared<PartitionQueue>(queue_messages_, queue_bytes_, start),
          .epoch = next_epoch_++,
          .checkpoint = checkpoint_before(entry.offset),
      };
      spdlog::info("kafka: assigned {} from {}", partition.shard_id(),
                   entry.offset >= 0 ? fmt::format("offset {}", entry.offset)
                                     : std::string("the beginning"));
      assigned_[partition] = std::move(assignment);
    }
    assignment_version_.fetch_add(1);
  }
  bool incremental = std::strcmp(rd_kafka_rebalance_protocol(consumer_), "COOPERATIVE") == 0;
  apply_assignment(partitions, incremental, true);
  assigned_once_ = true;
}

void GroupMember::resolve_uncommitted(rd_kafka_topic_partition_list_s* partitions) {
  PartitionList to_commit(rd_kafka_topic_partition_list_new(partitions->cnt));
  for (int i = 0; i < partitions->cnt; ++i) {
    auto& entry = partitions->elems[i];
    if (entry.offset >= 0) continue;
    TopicPartition partition{entry.topic, entry.partition};
    if (starting_position_ == config::StartingPosition::trim_horizon) {
      entry.offset = RD_KAFKA_OFFSET_BEGINNING;
      continue;
    }
    Result<int64_t> offset = starting_position_ == config::StartingPosition::at_timestamp
                                 ? offset_for_time(partition, starting_timestamp_ms_)
                                 : high_watermark(partition);
    if (!offset) {
      // Left to auto.offset.reset, which names the same end; only the commit-at-once is lost.
      spdlog::warn("kafka: resolving the starting position of {}: {}", partition.shard_id(),
                   offset.error().message);
      continue;
    }
    entry.offset = *offset;
    rd_kafka_topic_partition_list_add(to_commit.get(), entry.topic, entry.partition)->offset =
        *offset;
  }
  if (to_commit->cnt == 0) return;
  if (auto error = rd_kafka_commit(consumer_, to_commit.get(), 0)) {
    spdlog::warn("kafka: committing the starting positions: {}", rd_kafka_err2str(error));
  }
}

void GroupMember::revoke(rd_kafka_topic_partition_list_s* partitions) {
  PartitionList handled(rd_kafka_topic_partition_list_new(partitions->cnt));
  {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < partitions->cnt; ++i) {
      const auto& entry = partitions->elems[i];
      auto found = assigned_.find(TopicPartition{entry.topic, entry.partition});
      if (found == assigned_.end()) continue;
      found->second.queue->close();
      if (found->second.checkpoint != "TRIM_HORIZON") {
        rd_kafka_topic_partition_list_add(handled.get(), entry.topic, entry.partition)->offset =
            std::stoll(found->second.checkpoint) + 1;
      }
      spdlog::info("kafka: {} revoked", found->first.shard_id());
      assigned_.erase(found);
    }
    assignment_version_.fetch_add(1);
  }
  // What was handled is committed before the partitions go, so their next owner starts there.
  if (handled->cnt > 0) {
    if (auto error = rd_kafka_commit(consumer_, handled.get(), 0)) {
      spdlog::warn("kafka: committing revoked partitions: {}", rd_kafka_err2str(error));
    }
  }
  bool incremental = std::strcmp(rd_kafka_rebalance_protocol(consumer_), "COOPERATIVE") == 0;
  apply_assignment(partitions, incremental, false);
}

void GroupMember::apply_assignment(rd_kafka_topic_partition_list_s* partitions, bool incremental,
                                   bool assign) {
  if (incremental) {
    rd_kafka_error_t* error = assign ? rd_kafka_incremental_assign(consumer_, partitions)
                                     : rd_kafka_incremental_unassign(consumer_, partitions);
    if (error) {
      spdlog::warn("kafka: {}: {}", assign ? "assigning" : "unassigning",
                   rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
    }
    return;
  }
  auto error = rd_kafka_assign(consumer_, assign ? partitions : nullptr);
  if (error) {
    spdlog::warn("kafka: {}: {}", assign ? "assigning" : "unassigning", rd_kafka_err2str(error));
  }
}

std::vector<TopicPartition> GroupMember::assigned() const {
  std::lock_guard lock(mutex_);
  std::vector<TopicPartition> out;
  for (const auto& [partition, assignment] : assigned_) out.push_back(partition);
  return out;
}

std::optional<Assignment> GroupMember::assignment(const TopicPartition& partition) const {
  std::lock_guard lock(mutex_);
  auto found = assigned_.find(partition);
  if (found == assigned_.end()) return std::nullopt;
  return found->second;
}

Result<bool> GroupMember::store_offset(const TopicPartition& partition, int64_t epoch,
                                       int64_t last_handled) {
  std::lock_guard lock(mutex_);
  auto found = assigned_.find(partition);
  if (found == assigned_.end() || found->second.epoch != epoch) return false;
  PartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), partition.topic.c_str(), partition.partition)
      ->offset = last_handled + 1;
  auto error = rd_kafka_offsets_store(consumer_, list.get());
  if (error == RD_KAFKA_RESP_ERR__STATE) return false;  // librdkafka no longer has it assigned
  if (error) {
    return fail(Error::retriable(fmt::format("kafka: storing offset {} of {}: {}", last_handled + 1,
                                             partition.shard_id(), rd_kafka_err2str(error))));
  }
  found->second.checkpoint = std::to_string(last_handled);
  return true;
}

Status GroupMember::seek(const TopicPartition& partition, int64_t offset) {
  auto found = assignment(partition);
  if (!found) return fail(Error::retriable(partition.shard_id() + " is not assigned"));
  found->queue->set_seeking(true);
  PartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), partition.topic.c_str(), partition.partition)
      ->offset = offset;
  rd_kafka_error_t* error = rd_kafka_seek_partitions(consumer_, list.get(), request_timeout_ms);
  if (!error && list->elems[0].err) error = rd_kafka_error_new(list->elems[0].err, "seek failed");
  // Messages the poll thread took before the seek are dropped: wait out its current round.
  auto round = poll_rounds_.load();
  while (poll_rounds_.load() < round + 2 && !stop_.load()) std::this_thread::sleep_for(5ms);
  found->queue->restart_at(offset);
  found->queue->set_seeking(false);
  if (error) {
    std::string message = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    return fail(Error::retriable(
        fmt::format("kafka: seeking {} to {}: {}", partition.shard_id(), offset, message)));
  }
  return {};
}

Result<Watermarks> GroupMember::watermarks(const TopicPartition& partition) const {
  Watermarks marks;
  auto error =
      rd_kafka_query_watermark_offsets(consumer_, partition.topic.c_str(), partition.partition,
                                       &marks.low, &marks.high, request_timeout_ms);
  if (error) {
    return fail(Error::retriable(
        fmt::format("kafka: watermarks of {}: {}", partition.shard_id(), rd_kafka_err2str(error))));
  }
  return marks;
}

Result<int64_t> GroupMember::high_watermark(const TopicPartition& partition) const {
  auto marks = watermarks(partition);
  if (!marks) return fail(marks.error());
  return marks->high;
}

std::optional<int64_t> GroupMember::cached_high_watermark(const TopicPartition& partition) const {
  int64_t low = 0;
  int64_t high = 0;
  if (rd_kafka_get_watermark_offsets(consumer_, partition.topic.c_str(), partition.partition, &low,
                                     &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    return std::nullopt;
  }
  return high;
}

Result<int64_t> GroupMember::offset_for_time(const TopicPartition& partition,
                                             int64_t unix_ms) const {
  PartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), partition.topic.c_str(), partition.partition)
      ->offset = unix_ms;
  auto error = rd_kafka_offsets_for_times(consumer_, list.get(), request_timeout_ms);
  if (!error) error = list->elems[0].err;
  if (error) {
    return fail(Error::retriable(fmt::format("kafka: offset for time {} of {}: {}", unix_ms,
                                             partition.shard_id(), rd_kafka_err2str(error))));
  }
  // -1: no message at or after that time: start at the end.
  if (list->elems[0].offset < 0) return high_watermark(partition);
  return list->elems[0].offset;
}

std::optional<Error> GroupMember::fatal_error() const {
  std::lock_guard lock(mutex_);
  return fatal_;
}

}  // namespace shardpipe::kafka
