// What the Kafka source tests share: a mock cluster per test, messages produced with kcat (the
// independent client), pipe files reading a topic, and what a file target and the dead letters
// hold, keyed by topic-partition and offset.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kafka_mock_cluster.hpp"

namespace shardpipe::testing {

// (topic-partition shard id, offset)
using MessageAt = std::pair<std::string, int64_t>;

struct KafkaPipeOptions {
  std::string topic = "orders";
  std::string target = "{ type: file, path: ./out, records_per_file: 500 }";
  std::string extra;         // more top-level YAML, e.g. a retry section
  std::string source_extra;  // more settings of the source, e.g. "max_in_flight_records: 500"
  std::string properties = "session.timeout.ms: \"6000\"";
  std::string data_encoding = "json";
};

class KafkaSourceTest {
 public:
  KafkaSourceTest(const std::string& name, int partitions, int brokers = 3);

  KafkaMockCluster& cluster() { return cluster_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path pipe_file() const { return dir_ / "pipe.yaml"; }
  void write_pipe(const KafkaPipeOptions& options = {});

  // Produces `count` messages {"k":"key-<i % keys>","n":<i>} keyed by k; every `poison_every`-th
  // (if not 0) is instead invalid JSON or invalid UTF-8, alternately. Returns the values by
  // where Kafka put them (read back with kcat).
  std::map<MessageAt, std::string> produce(int count, int keys = 100, int poison_every = 0,
                                           int first = 0);
  // Everything in the topic now, by position (kcat).
  std::map<MessageAt, std::string> topic_contents();

  // What the file target under ./out holds: each envelope's value (as compact JSON text) by
  // position, and how many times each position was found.
  std::map<MessageAt, std::string> delivered(std::map<MessageAt, int>* copies = nullptr) const;
  // The positions of the dead letters in ./dlq (source.topic + partition + offset).
  std::map<MessageAt, int> dead_lettered() const;

  // Empty when the file target holds exactly the valid messages of `expected` once each and the
  // dead letters hold exactly the invalid ones; else what differs.
  std::string exactly_once(const std::map<MessageAt, std::string>& expected) const;
  // Per shard id: the committed checkpoint (`checkpoint list --json`), "" where none.
  std::map<std::string, std::string> checkpoints() const;

 private:
  std::filesystem::path dir_;
  KafkaMockCluster cluster_;
  std::string topic_ = "orders";
};

bool is_valid_json_value(const std::string& value);

}  // namespace shardpipe::testing
