// Runs a pipe: discovers shards and their lineage, starts a consumer per shard, renews leases,
// passes operator resets to the owning consumer, and shuts everything down gracefully.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "config/pipe_config.hpp"

namespace shardpipe {

// What `run` shows on its progress line.
struct RunProgress {
  uint64_t records_handled = 0;  // delivered, filtered or dead-lettered since this run started
  std::optional<uint64_t> records_behind;  // every shard's lag behind its checkpoint, as `status`
};

struct RunOptions {
  std::string worker_id;  // default: hostname:pid
  std::optional<std::chrono::milliseconds> stop_when_idle;
  // When set, called on the runner's thread each round of its loop (every 50 ms) while the pipe
  // runs; records_behind is read again about once a second.
  std::function<void(const RunProgress&)> on_progress;
};

// Set by SIGINT/SIGTERM (or a test) to ask for a graceful shutdown.
std::atomic<bool>& shutdown_signal();
void install_shutdown_handlers();

// Returns the process exit status: 0 after a graceful stop, 1 after a runtime failure.
int run_pipe(const config::PipeConfig& config, const RunOptions& options);

}  // namespace shardpipe
