#include "dynamodb_streams_pipe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "dynamodb_peer.hpp"
#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe::testing {

namespace fs = std::filesystem;

fs::path write_dynamodb_pipe(const fs::path& dir, const DynamoDbPipeOptions& options) {
  auto file = dir / "pipe.yaml";
  write_file(file, fmt::format(R"(name: {}
source:
  type: dynamodb_streams
  stream: {}
  endpoint: {}
  region: us-east-1
  data_encoding: {}
  batch_size: 500
{}{}dead_letter:
  type: file
  path: ./dlq
retry: {{backoff_initial: 50ms, backoff_max: 1s}}
checkpoint:
  lease_duration: 3s
)",
                               options.name, options.stream, options.endpoint,
                               options.data_encoding, options.extra_source, options.target));
  return file;
}

std::vector<DynamoDbDelivered> read_dynamodb_target(const fs::path& out_dir) {
  std::vector<DynamoDbDelivered> delivered;
  for (const auto& file : file_target_files(out_dir)) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      delivered.push_back(
          {file.parent_path().filename().string(), nlohmann::json::parse(line), line});
    }
  }
  return delivered;
}

nlohmann::json as_sent(nlohmann::json envelope) {
  for (const char* added : {"eventSourceARN", "keys", "newImage", "oldImage"}) {
    envelope.erase(added);
  }
  return envelope;
}

std::map<std::string, nlohmann::json> stream_by_sequence(const std::string& endpoint,
                                                         const std::string& arn) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& record : stream_records(endpoint, arn)) {
    out[record.json["dynamodb"]["SequenceNumber"]] = record.json;
  }
  return out;
}

std::string sequence_of(const DynamoDbDelivered& record) {
  return record.envelope.at("dynamodb").at("SequenceNumber");
}

std::string compare_with_stream(const std::vector<DynamoDbDelivered>& delivered,
                                const std::map<std::string, nlohmann::json>& stream) {
  std::string problems;
  std::map<std::string, int> seen;
  std::map<std::string, std::string> previous_in_shard;
  for (const auto& record : delivered) {
    std::string sequence = sequence_of(record);
    if (++seen[sequence] == 2) problems += "duplicated " + sequence + "\n";
    auto found = stream.find(sequence);
    if (found == stream.end()) {
      problems += "unexpected " + sequence + "\n";
    } else if (as_sent(record.envelope) != found->second) {
      problems += "altered " + sequence + ": " + record.envelope.dump() + "\n";
    }
    // DynamoDB Local's sequence numbers all have 21 digits: text order is number order.
    std::string& previous = previous_in_shard[record.shard_folder];
    if (!previous.empty() && sequence <= previous) {
      problems += "out of order: " + sequence + " after " + previous + "\n";
    }
    previous = sequence;
  }
  for (const auto& [sequence, record] : stream) {
    if (!seen.contains(sequence)) problems += "missing " + sequence + "\n";
  }
  return problems;
}

std::string item_of(const nlohmann::json& record) {
  const auto& keys = record.at("dynamodb").at("Keys");
  return keys.at("pk").at("S").get<std::string>() + "/" + keys.at("sk").at("N").get<std::string>();
}

}  // namespace shardpipe::testing
