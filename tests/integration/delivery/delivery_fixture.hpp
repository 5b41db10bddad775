// A local log piped into the scripted HTTP server: the common ground of the delivery tests.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "http_test_server.hpp"
#include "local_pipe.hpp"

namespace shardpipe::testing {

inline const std::string binary = SHARDPIPE_BINARY;

struct DeliveryPipe {
  std::filesystem::path dir;
  std::filesystem::path log;
  std::filesystem::path pipe_file;
  std::unique_ptr<HttpTestServer> server;

  // A fresh folder with a log of `shards` shards and a server answering with `script`.
  DeliveryPipe(const std::string& name, int shards, const nlohmann::json& script);

  // Writes pipe.yaml: the local log (JSON data, keyed records) into the server's /batches, with
  // `retry` as the retry section's body and the file dead letters in ./dlq unless
  // `dead_letter` says otherwise.
  void write_pipe(const std::string& retry, int batch_size = 10,
                  const std::string& dead_letter = "{ type: file, path: ./dlq }");

  // Puts JSON lines {"k": key, "i": index, "tag": tag} keyed by "k".
  std::vector<PutRecord> put(const std::vector<std::pair<std::string, std::string>>& key_and_tag);

  std::string event_id(const PutRecord& record) const {
    return record.shard_id + ":" + std::to_string(record.sequence);
  }
  // The run command for this pipe, for BackgroundProcess.
  std::vector<std::string> run_command(const std::string& worker = "worker-1") const;
};

// Requests to `path` that the server answered, in order.
std::vector<nlohmann::json> requests_to(const HttpTestServer& server, const std::string& path);

// The eventIDs a request's answer accepted: all of a 2xx answer but those it named as failed.
std::set<std::string> accepted_by(const nlohmann::json& request);

// eventID -> how many times the target accepted it.
std::map<std::string, int> acceptance_counts(const std::vector<nlohmann::json>& requests);

// Empty when, for every key, the records' last acceptances follow the order they were put in
// (what a target that applies records as they come ends up with); otherwise the first violation.
std::string key_order_violation(const std::vector<PutRecord>& put,
                                const std::vector<nlohmann::json>& requests,
                                const std::map<std::string, std::string>& key_of);

}  // namespace shardpipe::testing
