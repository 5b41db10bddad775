// librdkafka's mock cluster in the test program: real Kafka protocol on 127.0.0.1 (random ports),
// with topics, consumer groups, committed offsets, transactions, broker outages and injected
// request errors. The shardpipe binary under test and kcat connect to `bootstraps()`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace shardpipe::testing {

class KafkaMockCluster {
 public:
  explicit KafkaMockCluster(int brokers = 3);
  ~KafkaMockCluster();
  KafkaMockCluster(const KafkaMockCluster&) = delete;
  KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;

  // "127.0.0.1:port,127.0.0.1:port,..."
  const std::string& bootstraps() const { return bootstraps_; }
  void create_topic(const std::string& topic, int partitions, int replication_factor = 1);
  // Broker ids are 1..brokers.
  void broker_down(int32_t broker_id);
  void broker_up(int32_t broker_id);
  // The next `errors.size()` requests of the protocol request type `api_key` (e.g. 8,
  // OffsetCommit) to any broker fail with these error codes (rd_kafka_resp_err_t values).
  void push_request_errors(int16_t api_key, const std::vector<int>& errors);

 private:
  rd_kafka_s* handle_ = nullptr;  // the client that owns the cluster
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstraps_;
};

// kcat as the independent client.
struct KafkaMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;  // empty when there is none
  std::string value;
};

// Produces `key:value` lines (kcat -P -K with a separator byte that occurs in neither) to the
// topic, waiting for every delivery; keys pick partitions by librdkafka's default partitioner.
void kcat_produce(const std::string& bootstraps, const std::string& topic,
                  const std::vector<std::pair<std::string, std::string>>& messages);
// Every message of the topic from the beginning to the end as of now (kcat -C -e -J);
// `isolation` is "read_committed" or "read_uncommitted".
std::vector<KafkaMessage> kcat_consume(const std::string& bootstraps, const std::string& topic,
                                       const std::string& isolation = "read_committed");

}  // namespace shardpipe::testing
