#include "delivery_fixture.hpp"

#include <fmt/format.h>

#include <sstream>

namespace shardpipe::testing {

namespace fs = std::filesystem;
using nlohmann::json;

DeliveryPipe::DeliveryPipe(const std::string& name, int shards, const json& script)
    : dir(fresh_test_dir(name)), log(dir / "log"), pipe_file(dir / "pipe.yaml") {
  create_log(binary, log, shards);
  server = std::make_unique<HttpTestServer>(dir / "server", script);
}

void DeliveryPipe::write_pipe(const std::string& retry, int batch_size,
                              const std::string& dead_letter) {
  write_file(pipe_file, fmt::format(R"(name: delivery
source: {{ type: local, path: ./log, batch_size: {}, data_encoding: json }}
target: {{ type: http, url: "{}", timeout: 5s }}
retry: {}
dead_letter: {}
checkpoint: {{ lease_duration: 3s }}
shutdown_timeout: 5s
)",
                                    batch_size, server->url("/batches"), retry, dead_letter));
}

std::vector<PutRecord> DeliveryPipe::put(
    const std::vector<std::pair<std::string, std::string>>& key_and_tag) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < key_and_tag.size(); ++i) {
    lines.push_back(
        json({{"k", key_and_tag[i].first}, {"i", i}, {"tag", key_and_tag[i].second}}).dump());
  }
  return put_records(binary, log, lines, {"--partition-key-field", "k"});
}

std::vector<std::string> DeliveryPipe::run_command(const std::string& worker) const {
  return {binary, "run", pipe_file.string(), "--worker-id", worker};
}

std::vector<json> requests_to(const HttpTestServer& server, const std::string& path) {
  std::vector<json> found;
  for (auto& request : server.requests()) {
    if (request.value("path", "") == path) found.push_back(std::move(request));
  }
  return found;
}

std::set<std::string> accepted_by(const json& request) {
  std::set<std::string> accepted;
  const json& status = request["status"];
  if (!status.is_number() || status.get<int>() / 100 != 2) return accepted;
  for (const auto& id : request["event_ids"]) accepted.insert(id.get<std::string>());
  // Identifiers may be eventIDs or sequence numbers.
  std::map<std::string, std::string> event_id_of;
  if (request["body"].is_array()) {
    for (const auto& record : request["body"]) {
      auto id = record.value("eventID", "");
      event_id_of[id] = id;
      event_id_of[record.value("sequenceNumber", "")] = id;
    }
  }
  const json& answer = request.value("answer", json());
  if (answer.is_object() && answer.contains("batchItemFailures") &&
      answer["batchItemFailures"].is_array()) {
    std::set<std::string> named;
    for (const auto& failure : answer["batchItemFailures"]) {
      if (!failure.is_object() || !failure["itemIdentifier"].is_string()) return {};
      auto found = event_id_of.find(failure["itemIdentifier"].get<std::string>());
      if (found == event_id_of.end()) return {};
      named.insert(found->second);
    }
    // A name that is no record of the batch fails the whole batch.
    for (const auto& name : named) {
      if (!accepted.contains(name)) return {};
    }
    for (const auto& name : named) accepted.erase(name);
  }
  return accepted;
}

std::map<std::string, int> acceptance_counts(const std::vector<json>& requests) {
  std::map<std::string, int> counts;
  for (const auto& request : requests) {
    for (const auto& id : accepted_by(request)) ++counts[id];
  }
  return counts;
}

std::string key_order_violation(const std::vector<PutRecord>& put,
                                const std::vector<json>& requests,
                                const std::map<std::string, std::string>& key_of) {
  // eventID -> (request index, position in it) of its last acceptance.
  std::map<std::string, std::pair<size_t, size_t>> last;
  for (size_t r = 0; r < requests.size(); ++r) {
    auto accepted = accepted_by(requests[r]);
    const auto& ids = requests[r]["event_ids"];
    for (size_t p = 0; p < ids.size(); ++p) {
      auto id = ids[p].get<std::string>();
      if (accepted.contains(id)) last[id] = {r, p};
    }
  }
  std::map<std::string, std::pair<std::string, std::pair<size_t, size_t>>> previous_of_key;
  for (const auto& record : put) {
    std::string id = record.shard_id + ":" + std::to_string(record.sequence);
    auto found = last.find(id);
    if (found == last.end()) return id + " was never accepted";
    const std::string& key = key_of.at(id);
    auto previous = previous_of_key.find(key);
    if (previous != previous_of_key.end() && previous->second.second > found->second) {
      return fmt::format("key {}: {} was last accepted after {}", key, previous->second.first, id);
    }
    previous_of_key[key] = {id, found->second};
  }
  return "";
}

}  // namespace shardpipe::testing
