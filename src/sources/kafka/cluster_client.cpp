#include "sources/kafka/cluster_client.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "kafka/client_config.hpp"
#include "sources/kafka/partition_list.hpp"

namespace shardpipe::kafka {
namespace {

Error request_error(const std::string& what, rd_kafka_resp_err_t error) {
  return Error::retriable(fmt::format("kafka: {}: {}", what, rd_kafka_err2str(error)));
}

// The consumer protocol's assignment: int16 version, then [topic: string, partitions: [int32]].
class AssignmentReader {
 public:
  AssignmentReader(const void* data, int size)
      : at_(static_cast<const unsigned char*>(data)), end_(at_ + (size > 0 ? size : 0)) {}

  bool read(std::vector<TopicPartition>& out) {
    int16_t version = 0;
    int32_t topics = 0;
    if (!number(version) || !number(topics)) return false;
    for (int32_t t = 0; t < topics; ++t) {
      int16_t length = 0;
      if (!number(length) || length < 0 || end_ - at_ < length) return false;
      std::string topic(reinterpret_cast<const char*>(at_), static_cast<size_t>(length));
      at_ += length;
      int32_t partitions = 0;
      if (!number(partitions)) return false;
      for (int32_t p = 0; p < partitions; ++p) {
        int32_t partition = 0;
        if (!number(partition)) return false;
        out.push_back({topic, partition});
      }
    }
    return true;
  }

 private:
  template <typename Int>
  bool number(Int& value) {
    if (end_ - at_ < static_cast<std::ptrdiff_t>(sizeof(Int))) return false;
    std::make_unsigned_t<Int> raw = 0;
    for (size_t i = 0; i < sizeof(Int); ++i) raw = static_cast<decltype(raw)>((raw << 8) | at_[i]);
    at_ += sizeof(Int);
    value = static_cast<Int>(raw);
    return true;
  }

  const unsigned char* at_;
  const unsigned char* end_;
};

}  // namespace

Result<std::unique_ptr<ClusterClient>> ClusterClient::connect(const config::SourceConfig& source) {
  ClientSettings settings{
      .what = "source.properties",
      .bootstrap_servers = source.bootstrap_servers,
      .properties = source.properties,
      .protected_settings = {},
      .defaults = {{"enable.auto.commit", "false"}},
  };
  // The pipe's own properties (security settings, timeouts) apply; the member's safety settings
  // are not needed by a client that never consumes.
  settings.properties.erase("enable.auto.offset.store");
  settings.properties.erase("enable.auto.commit");
  settings.properties["group.id"] = source.consumer_group;
  settings.properties.try_emplace("partition.assignment.strategy", "cooperative-sticky");
  auto handle = new_consumer(settings);
  if (!handle) return fail(handle.error());
  return std::unique_ptr<ClusterClient>(new ClusterClient(*handle, source, std::move(settings)));
}

ClusterClient::ClusterClient(rd_kafka_s* handle, const config::SourceConfig& source,
                             ClientSettings settings)
    : handle_(handle),
      settings_(std::move(settings)),
      topics_(source.topics),
      group_(source.consumer_group),
      servers_(join_servers(source.bootstrap_servers)) {}

ClusterClient::~ClusterClient() {
  rd_kafka_destroy(handle_);
}

Result<std::vector<TopicPartition>> topic_partitions(rd_kafka_t* handle,
                                                     const std::vector<std::string>& topics,
                                                     const std::string& servers) {
  const rd_kafka_metadata_t* metadata = nullptr;
  if (auto error = rd_kafka_metadata(handle, 1, nullptr, &metadata, request_timeout_ms)) {
    return fail(request_error("reading the cluster's metadata from " + servers, error));
  }
  std::vector<TopicPartition> out;
  std::vector<std::string> missing;
  for (const auto& topic : topics) {
    bool found = false;
    for (int i = 0; i < metadata->topic_cnt; ++i) {
      const auto& listed = metadata->topics[i];
      if (topic != listed.topic || listed.err) continue;
      found = true;
      for (int p = 0; p < listed.partition_cnt; ++p) {
        out.push_back({topic, listed.partitions[p].id});
      }
    }
    if (!found) missing.push_back(topic);
  }
  rd_kafka_metadata_destroy(metadata);
  if (!missing.empty()) {
    return fail(Error::fatal(
        fmt::format("kafka: topic {} does not exist on {}", fmt::join(missing, ", "), servers)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<TopicPartition>> ClusterClient::partitions() {
  return topic_partitions(handle_, topics_, servers_);
}

Result<std::pair<int64_t, int64_t>> ClusterClient::watermarks(const TopicPartition& partition) {
  int64_t low = 0;
  int64_t high = 0;
  if (auto error = rd_kafka_query_watermark_offsets(
          handle_, partition.topic.c_str(), partition.partition, &low, &high, request_timeout_ms)) {
    return fail(request_error("watermarks of " + partition.shard_id(), error));
  }
  return std::pair{low, high};
}

Result<std::map<TopicPartition, int64_t>> ClusterClient::committed(
    const std::vector<TopicPartition>& partitions) {
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& partition : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), partition.topic.c_str(), partition.partition);
  }
  if (auto error = rd_kafka_committed(handle_, list.get(), request_timeout_ms)) {
    return fail(request_error("the committed offsets of group " + group_, error));
  }
  std::map<TopicPartition, int64_t> out;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& entry = list->elems[i];
    out[{entry.topic, entry.partition}] = entry.offset >= 0 ? entry.offset : -1;
  }
  return out;
}

Result<GroupMembers> ClusterClient::members() {
  const rd_kafka_group_list* groups = nullptr;
  if (auto error = rd_kafka_list_groups(handle_, group_.c_str(), &groups, request_timeout_ms)) {
    return fail(request_error("describing group " + group_, error));
  }
  GroupMembers out;
  for (int g = 0; g < groups->group_cnt; ++g) {
    const auto& info = groups->groups[g];
    if (group_ != info.group) continue;
    out.state = info.state ? info.state : "";
    out.count = static_cast<size_t>(info.member_cnt);
    for (int m = 0; m < info.member_cnt; ++m) {
      const auto& member = info.members[m];
      std::vector<TopicPartition> owned;
      AssignmentReader(member.member_assignment, member.member_assignment_size).read(owned);
      for (auto& partition : owned) out.owner_of[partition] = member.client_id;
    }
  }
  rd_kafka_group_list_destroy(groups);
  return out;
}

Result<int64_t> ClusterClient::offset_for_time(const TopicPartition& partition, int64_t unix_ms) {
  PartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), partition.topic.c_str(), partition.partition)
      ->offset = unix_ms;
  auto error = rd_kafka_offsets_for_times(handle_, list.get(), request_timeout_ms);
  if (!error) error = list->elems[0].err;
  if (error) return fail(request_error("the offset for a time in " + partition.shard_id(), error));
  if (list->elems[0].offset >= 0) return list->elems[0].offset;
  auto marks = watermarks(partition);
  if (!marks) return fail(marks.error());
  return marks->second;
}

Status ClusterClient::commit(const std::map<TopicPartition, int64_t>& offsets) {
  // Kafka takes a group's commits from its members (a broker may refuse a client outside the
  // group even while the group is empty), so this joins the group for the moment it takes. It
  // must then hold every partition: anything less means other members are running.
  auto joined = new_consumer(settings_);
  if (!joined) return fail(joined.error());
  rd_kafka_t* member = *joined;
  rd_kafka_poll_set_consumer(member);
  auto close = [&] {
    rd_kafka_consumer_close(member);
    rd_kafka_destroy(member);
  };
  auto all = partitions();
  if (!all) {
    close();
    return fail(all.error());
  }
  PartitionList topics(rd_kafka_topic_partition_list_new(static_cast<int>(topics_.size())));
  for (const auto& topic : topics_) {
    rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_subscribe(member, topics.get());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  size_t held = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto* message = rd_kafka_consumer_poll(member, 100)) rd_kafka_message_destroy(message);
    rd_kafka_topic_partition_list_t* assignment = nullptr;
    if (rd_kafka_assignment(member, &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      held = static_cast<size_t>(assignment->cnt);
      rd_kafka_topic_partition_list_destroy(assignment);
    }
    if (held == all->size()) break;
  }
  if (held != all->size()) {
    close();
    return fail(Error::permanent(fmt::format(
        "consumer group {} did not hand every partition to a new member within 30 s ({} of {}): "
        "other members are running; stop the pipe's workers, then set the checkpoint",
        group_, held, all->size())));
  }
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [partition, offset] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), partition.topic.c_str(), partition.partition)
        ->offset = offset;
  }
  auto failed = rd_kafka_commit(member, list.get(), 0);
  for (int i = 0; !failed && i < list->cnt; ++i) failed = list->elems[i].err;
  close();
  if (failed) return fail(request_error("committing offsets for group " + group_, failed));
  return {};
}

}  // namespace shardpipe::kafka
