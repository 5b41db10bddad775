#include "kafka_mock_cluster.hpp"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <stdexcept>

#include "process.hpp"

namespace shardpipe::testing {
namespace {

using namespace std::chrono_literals;

// kcat's delimiters: bytes the tests never put in a key or a value.
constexpr char key_delimiter = '\x1f';
constexpr char message_delimiter = '\x1e';

}  // namespace

KafkaMockCluster::KafkaMockCluster(int brokers) {
  // The mock brokers write to sockets that clients (kcat, the pipe) may have closed: that must
  // be an error on the write, not a signal that ends the test program.
  std::signal(SIGPIPE, SIG_IGN);
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The owning client only hosts the cluster; it must not log its own connection attempts.
  rd_kafka_conf_set(conf, "log_level", "0", error, sizeof error);
  // SHARDPIPE_TEST_MOCK_DEBUG=1 logs the mock cluster's group coordinator to stderr instead.
  if (const char* debug = std::getenv("SHARDPIPE_TEST_MOCK_DEBUG"); debug && *debug) {
    rd_kafka_conf_set(conf, "log_level", "7", error, sizeof error);
    rd_kafka_conf_set(conf, "debug", "mock", error, sizeof error);
  }
  handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (!handle_) throw std::runtime_error(fmt::format("mock cluster client: {}", error));
  cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
  if (!cluster_) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
  bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

KafkaMockCluster::~KafkaMockCluster() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_) rd_kafka_destroy(handle_);
}

void KafkaMockCluster::create_topic(const std::string& topic, int partitions,
                                    int replication_factor) {
  auto err = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication_factor);
  if (err) {
    throw std::runtime_error(fmt::format("creating topic {}: {}", topic, rd_kafka_err2str(err)));
  }
}

void KafkaMockCluster::broker_down(int32_t broker_id) {
  rd_kafka_mock_broker_set_down(cluster_, broker_id);
}

void KafkaMockCluster::broker_up(int32_t broker_id) {
  rd_kafka_mock_broker_set_up(cluster_, broker_id);
}

void KafkaMockCluster::push_request_errors(int16_t api_key, const std::vector<int>& errors) {
  std::vector<rd_kafka_resp_err_t> codes;
  for (int code : errors) codes.push_back(static_cast<rd_kafka_resp_err_t>(code));
  rd_kafka_mock_push_request_errors_array(cluster_, api_key, codes.size(), codes.data());
}

void kcat_produce(const std::string& bootstraps, const std::string& topic,
                  const std::vector<std::pair<std::string, std::string>>& messages) {
  std::string input;
  for (const auto& [key, value] : messages) {
    input += key;
    input += key_delimiter;
    input += value;
    input += message_delimiter;
  }
  auto done = run_process_for(
      300s,
      {SHARDPIPE_KCAT, "-P", "-b", bootstraps, "-t", topic, "-K", std::string(1, key_delimiter),
       "-D", std::string(1, message_delimiter), "-X", "linger.ms=20", "-X",
       "batch.num.messages=10000", "-X", "queue.buffering.max.messages=1000000"},
      input);
  if (done.exit_code != 0) {
    throw std::runtime_error(fmt::format("kcat -P exited {}: {}", done.exit_code, done.err));
  }
}

std::vector<KafkaMessage> kcat_consume(const std::string& bootstraps, const std::string& topic,
                                       const std::string& isolation) {
  // Lengths before the bytes, so keys and values may hold anything (-1: none).
  auto done = run_process_for(
      300s, {SHARDPIPE_KCAT, "-C", "-b", bootstraps, "-t", topic, "-o", "beginning", "-e", "-q",
             "-X", "isolation.level=" + isolation, "-f", "%t %p %o %K %S\n%k%s"});
  if (done.exit_code != 0) {
    throw std::runtime_error(fmt::format("kcat -C exited {}: {}", done.exit_code, done.err));
  }
  std::vector<KafkaMessage> messages;
  const std::string& out = done.out;
  size_t at = 0;
  while (at < out.size()) {
    auto line_end = out.find('\n', at);
    if (line_end == std::string::npos) break;
    KafkaMessage message;
    char topic_name[512] = {};
    long long key_length = 0;
    long long value_length = 0;
    long long offset = 0;
    int partition = 0;
    std::string header = out.substr(at, line_end - at);
    if (std::sscanf(header.c_str(), "%511s %d %lld %lld %lld", topic_name, &partition, &offset,
                    &key_length, &value_length) != 5) {
      throw std::runtime_error("kcat -C: unexpected line: " + header);
    }
    message.topic = topic_name;
    message.partition = partition;
    message.offset = offset;
    at = line_end + 1;
    size_t key_size = key_length > 0 ? static_cast<size_t>(key_length) : 0;
    size_t value_size = value_length > 0 ? static_cast<size_t>(value_length) : 0;
    message.key = out.substr(at, key_size);
    at += key_size;
    message.value = out.substr(at, value_size);
    at += value_size;
    messages.push_back(std::move(message));
  }
  return messages;
}

}  // namespace shardpipe::testing
