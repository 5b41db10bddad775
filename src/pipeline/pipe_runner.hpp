// Runs a pipe: discovers shards and their lineage, starts a consumer per shard, renews leases,
// passes operator resets to the owning consumer, and shuts everything down gracefully.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "config/pipe_config.hpp"

namespace shardpipe {

struct RunOptions {
  std::string worker_id;  // default: hostname:pid
  std::optional<std::chrono::milliseconds> stop_when_idle;
};

// Set by SIGINT/SIGTERM (or a test) to ask for a graceful shutdown.
std::atomic<bool>& shutdown_signal();
void install_shutdown_handlers();

// Returns the process exit status: 0 after a graceful stop, 1 after a runtime failure.
int run_pipe(const config::PipeConfig& config, const RunOptions& options);

}  // namespace shardpipe
