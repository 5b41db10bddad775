// Questions about a topic and a consumer group asked from outside the group, for `status`,
// `checkpoint list|set` and `verify`: partitions, watermarks, committed offsets, which member
// holds what. It never joins the group, so asking does not cause a rebalance.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "kafka/client_config.hpp"
#include "sources/kafka/topic_partition.hpp"

struct rd_kafka_s;

namespace shardpipe::kafka {

struct GroupMembers {
  std::string state;                               // Stable, Empty, ...
  std::map<TopicPartition, std::string> owner_of;  // partition → the member's client.id
  size_t count = 0;
};

class ClusterClient {
 public:
  static Result<std::unique_ptr<ClusterClient>> connect(const config::SourceConfig& source);
  ~ClusterClient();
  ClusterClient(const ClusterClient&) = delete;
  ClusterClient& operator=(const ClusterClient&) = delete;

  // Every partition of the source's topics; a missing topic is an error.
  Result<std::vector<TopicPartition>> partitions();
  Result<std::pair<int64_t, int64_t>> watermarks(const TopicPartition& partition);
  // The group's committed offset per partition (-1: none).
  Result<std::map<TopicPartition, int64_t>> committed(
      const std::vector<TopicPartition>& partitions);
  Result<GroupMembers> members();
  Result<int64_t> offset_for_time(const TopicPartition& partition, int64_t unix_ms);
  // Commits offsets for the group, joining it for the moment: only while no other member runs
  // (as Kafka's own reset tool requires).
  Status commit(const std::map<TopicPartition, int64_t>& offsets);
  const std::string& group() const { return group_; }

 private:
  ClusterClient(rd_kafka_s* handle, const config::SourceConfig& source, ClientSettings settings);
  rd_kafka_s* handle_;
  ClientSettings settings_;  // for a member of the group, when committing
  std::vector<std::string> topics_;
  std::string group_;
  std::string servers_;
};

}  // namespace shardpipe::kafka
