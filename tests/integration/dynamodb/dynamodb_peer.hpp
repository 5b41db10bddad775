// DynamoDB Local (AWS's DynamoDB emulator, with DynamoDB Streams) for tests, and the AWS SDK for
// JavaScript as an independent client (tests/peers/dynamodb/dynamodb_tool.js). DynamoDB Local
// listens on every interface and cannot be told otherwise, so it only runs in a private network
// namespace: the test program calls enter_private_network_namespace() (network_namespace.hpp)
// before it starts anything. Attribute values stay in DynamoDB's JSON form ({"N": "..."}), so
// numbers are exact strings.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "listening_peer.hpp"
#include "process.hpp"

namespace shardpipe::testing {

// DynamoDB Local in memory (tests/peers/dynamodb/dynamodb_local.sh) on a free port of
// 127.0.0.1, ready when constructed (it answered ListTables). Stopped with SIGTERM when
// destroyed; if the test program dies, the script and Java die with it (parent-death signals).
// Throws when this process is not in a private network namespace.
class DynamoDbLocal {
 public:
  explicit DynamoDbLocal(const std::filesystem::path& dir);
  ~DynamoDbLocal();
  DynamoDbLocal(const DynamoDbLocal&) = delete;
  DynamoDbLocal& operator=(const DynamoDbLocal&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // From starting the script until DynamoDB Local answered.
  std::chrono::milliseconds startup_time() const { return startup_time_; }
  // The resident memory of the Java process in KiB (0 when it cannot be found).
  long resident_kib() const;
  BackgroundProcess& process() { return *process_; }

 private:
  std::unique_ptr<BackgroundProcess> process_;
  int port_ = 0;
  std::chrono::milliseconds startup_time_{0};
};

// tests/peers/dynamodb/streams_fault_proxy.js in front of `upstream_port`, with `faults` (e.g.
// {"--expire-every", "5"}); its counts go to `dir`/proxy-stats.json.
ListeningPeer start_streams_fault_proxy(const std::filesystem::path& dir, int upstream_port,
                                        const std::vector<std::string>& faults);

// The command line that runs dynamodb_tool.js with `args` (to start it in the background).
std::vector<std::string> dynamodb_tool_command(const std::string& endpoint,
                                               const std::vector<std::string>& args);
// One DynamoDB Local for the whole test program, started by the first call; stopped by
// stop_shared_dynamodb_local() (the program's test environment calls it at the end).
DynamoDbLocal& shared_dynamodb_local();
void stop_shared_dynamodb_local();

// Runs dynamodb_tool.js with `args`; throws with its stderr when it fails. Returns stdout.
std::string dynamodb_tool(const std::string& endpoint, const std::vector<std::string>& args);

// Creates TABLE (pk: S, sk: N) with a stream of `view`; returns the stream's ARN.
std::string create_table(const std::string& endpoint, const std::string& table,
                         const std::string& view = "NEW_AND_OLD_IMAGES");

// One item as put: pk "key-<i mod keys>", sk (a number, also in the item's n) first + i.
struct DynamoDbPut {
  std::string pk;
  std::string sk;
};
// Puts `count` items, one PutItem each in order; every item holds one attribute of each type,
// among them big: {"N": "12345678901234567890.123456789"}.
std::vector<DynamoDbPut> put_items(const std::string& endpoint, const std::string& table, int count,
                                   int keys, int first = 0);
// Adds 1000 to the item's n (a MODIFY record); returns the new item's attributes.
nlohmann::json update_item(const std::string& endpoint, const std::string& table,
                           const std::string& pk, const std::string& sk);
// Deletes the item (a REMOVE record).
void delete_item(const std::string& endpoint, const std::string& table, const std::string& pk,
                 const std::string& sk);
void disable_stream(const std::string& endpoint, const std::string& table);
// StreamDescription with every shard, as the service sent it.
nlohmann::json describe_stream(const std::string& endpoint, const std::string& stream_arn);

// One stream record as the service sent it.
struct StreamRecord {
  std::string raw;      // the record's JSON text, byte for byte
  nlohmann::json json;  // parsed
};
// Every record of every shard from TRIM_HORIZON to the shard's end (a closed shard) or its
// current end (an open one), shard by shard, in order.
std::vector<StreamRecord> stream_records(const std::string& endpoint,
                                         const std::string& stream_arn);

}  // namespace shardpipe::testing
