#include "dynamodb_streams_pipe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

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
{}target:
  type: file
  path: ./out
  records_per_file: 200
dead_letter:
  type: file
  path: ./dlq
retry: {{backoff_initial: 50ms, backoff_max: 1s}}
checkpoint:
  lease_duration: 3s
)",
                               options.name, options.stream, options.endpoint,
                               options.data_encoding, options.extra_source));
  return file;
}

std::vector<DynamoDbDelivered> read_dynamodb_target(const fs::path& out_dir) {
  std::vector<DynamoDbDelivered> delivered;
  if (!fs::exists(out_dir)) return delivered;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(out_dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".jsonl") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
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

std::string item_of(const nlohmann::json& record) {
  const auto& keys = record.at("dynamodb").at("Keys");
  return keys.at("pk").at("S").get<std::string>() + "/" + keys.at("sk").at("N").get<std::string>();
}

}  // namespace shardpipe::testing
