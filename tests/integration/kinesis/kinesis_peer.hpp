// kinesalite (a Kinesis server) on loopback, the AWS SDK for JavaScript as an independent client
// (tests/peers/kinesis/kinesis_tool.js), a fault-injecting proxy, and what a file target holds
// after a Kinesis pipe ran. Kinesis sequence numbers exceed 64 bits: they stay strings here.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base64.hpp"
#include "listening_peer.hpp"
#include "process.hpp"

namespace shardpipe::testing {

// kinesalite on 127.0.0.1, on a free port.
ListeningPeer start_kinesalite(const std::filesystem::path& dir);

// kinesis-local (kinesis-mock), which ends closed shards as AWS does, on 127.0.0.1 on a free
// port (and the next one, for its TLS listener).
ListeningPeer start_kinesis_local(const std::filesystem::path& dir);

// The fault proxy in front of `upstream_port`; its counts go to `dir`/proxy-stats.json.
// `expire_first`: the first GetRecords calls, one after the other, all expire.
ListeningPeer start_fault_proxy(const std::filesystem::path& dir, int upstream_port,
                                int expire_every, int throttle_every, int expire_first = 0);

// One record as the producer put it.
struct KinesisPut {
  std::string shard_id;
  std::string sequence_number;
  std::string data;  // {"k":"key-<i>","n":<n>}
};

// "shardId-000000000003" for 3: Kinesis's shard ids in the order a stream creates them.
inline std::string shard(int n) {
  return fmt::format("shardId-{:012}", n);
}

// `a` followed by `b`.
template <typename T>
std::vector<T> concat(std::vector<T> a, const std::vector<T>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Runs kinesis_tool.js with `args`; throws with its stderr when it fails. Returns stdout.
std::string kinesis_tool(const std::string& endpoint, const std::vector<std::string>& args);

void create_stream(const std::string& endpoint, const std::string& stream, int shards);
// Puts `count` records with n = first.. first+count-1 over `keys` keys.
std::vector<KinesisPut> put_records(const std::string& endpoint, const std::string& stream,
                                    int count, int keys, int first = 0, int batch = 100);
// Puts `count` user records like put_records, packed by awslabs' aws-kinesis-agg into KPL
// aggregates of `per_aggregate`, one PutRecord each; each user record's sequence_number is its
// aggregate's.
std::vector<KinesisPut> put_aggregated(const std::string& endpoint, const std::string& stream,
                                       int count, int keys, int first = 0, int per_aggregate = 10);
nlohmann::json list_shards(const std::string& endpoint, const std::string& stream);

// One record found in a file target's output, in file name order and line order.
struct KinesisDelivered {
  std::string folder;  // the shard folder it was found in
  nlohmann::json envelope;
  std::string data;  // decoded from base64
  std::filesystem::path file;
  std::filesystem::file_time_type written;  // the file's modification time
};
std::vector<KinesisDelivered> read_kinesis_target(const std::filesystem::path& out_dir);

// Empty when `delivered` holds each record of `put` exactly once (by data) and nothing else;
// otherwise what is missing, duplicated or unexpected.
std::string exactly_once(const std::vector<KinesisPut>& put,
                         const std::vector<KinesisDelivered>& delivered);

// Sets the region and fake credentials in this process's environment, which the pipes it starts
// inherit (kinesalite wants them present, but does not check them).
void use_test_credentials(const std::string& secret = "test-secret");

}  // namespace shardpipe::testing
