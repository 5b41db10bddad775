// The `shardpipe` commands (CONTRACT section 1). Each returns the process exit status:
// 0 success, 1 runtime failure, 2 usage or configuration error.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace shardpipe::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

// log
int log_create(const std::string& dir, int shards);
struct PutOptions {
  std::string partition_key;
  std::string partition_key_field;
  bool verbose = false;
};
int log_put(const std::string& dir, const PutOptions& options);
int log_split(const std::string& dir, const std::string& shard_id, const std::string& at_hash_key);
int log_merge(const std::string& dir, const std::string& shards);
int log_describe(const std::string& dir, bool json);
int log_get(const std::string& dir, const std::string& shard_id, const std::string& from,
            size_t limit);

// pipe
int validate(const std::string& pipe_file);
int run(const std::string& pipe_file, std::string worker_id,
        std::optional<std::string> stop_when_idle);
// watch: a duration; then the status is printed again after each, until interrupted.
int status(const std::string& pipe_file, bool json, std::optional<std::string> watch);
// The file target's output (and file dead letters) against the source, up to each checkpoint:
// 0 clean, 1 gaps or other findings (docs/operations.md), 2 a pipe verify cannot check.
int verify(const std::string& pipe_file, bool json);
int checkpoint_list(const std::string& pipe_file, bool json);
int checkpoint_set(const std::string& pipe_file, const std::vector<std::string>& shards, bool all,
                   const std::string& position);

// dlq
int dlq_list(const std::string& pipe_file, bool json);
int dlq_replay(const std::string& pipe_file, const std::vector<std::string>& event_ids);

// config
int config_reference();

// metrics: the metric catalog in Markdown; with `update_file`, written into its generated region
// instead of printed.
int metrics_reference(const std::string& update_file);

}  // namespace shardpipe::cli
