// Pipes from a DynamoDB Local stream into a file target, as the DynamoDB Streams tests write
// them, and what the file target then holds.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace shardpipe::testing {

struct DynamoDbPipeOptions {
  std::string endpoint;
  std::string stream;                  // an ARN or a table name
  std::string data_encoding = "json";  // plain keys and images in the envelope
  std::string extra_source;            // more lines of the source section, indented two spaces
  std::string name = "ddb-test";
  // The target section; the default is a file target in DIR/out.
  std::string target = "target:\n  type: file\n  path: ./out\n  records_per_file: 200\n";
};

// Writes DIR/pipe.yaml: the stream into DIR/out (file target), dead letters in DIR/dlq.
std::filesystem::path write_dynamodb_pipe(const std::filesystem::path& dir,
                                          const DynamoDbPipeOptions& options);

// One record the file target holds.
struct DynamoDbDelivered {
  std::string shard_folder;
  nlohmann::json envelope;
  std::string text;  // the line as the target wrote it (a JSON parse could round numbers)
};
// Every record under OUT_DIR, file by file in name order (shard folders, then sequence).
std::vector<DynamoDbDelivered> read_dynamodb_target(const std::filesystem::path& out_dir);

// The envelope as the service sent the record: without what the source adds (eventSourceARN,
// and the plain keys / newImage / oldImage).
nlohmann::json as_sent(nlohmann::json envelope);

// The records the stream holds, read by the independent client (every shard from
// TRIM_HORIZON), by sequence number.
std::map<std::string, nlohmann::json> stream_by_sequence(const std::string& endpoint,
                                                         const std::string& arn);

std::string sequence_of(const DynamoDbDelivered& record);

// Problems with `delivered` against what the stream holds: each record exactly once, as sent,
// in rising order within each shard folder; empty when there are none.
std::string compare_with_stream(const std::vector<DynamoDbDelivered>& delivered,
                                const std::map<std::string, nlohmann::json>& stream);

// "pk/sk" of a record's Keys.
std::string item_of(const nlohmann::json& record);

}  // namespace shardpipe::testing
