// What every librdkafka request of the Kafka source shares: an owned partition list, the list of
// a set of topics' partitions read from the cluster's metadata, and how long a request may take.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "sources/kafka/topic_partition.hpp"

namespace shardpipe::kafka {

inline constexpr int request_timeout_ms = 10000;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

// Every partition of `topics`, sorted. A topic the cluster does not have is a fatal error; an
// unanswered metadata request a retriable one.
Result<std::vector<TopicPartition>> topic_partitions(rd_kafka_t* handle,
                                                     const std::vector<std::string>& topics,
                                                     const std::string& servers);

}  // namespace shardpipe::kafka
