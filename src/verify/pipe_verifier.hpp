// `shardpipe verify`: every shard a pipe knows, its records read back through the Source
// interface, against what the file target and the file dead letters hold.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/pipe_config.hpp"
#include "coordination/checkpoint_store.hpp"
#include "core/result.hpp"
#include "sources/source.hpp"
#include "verify/output_scan.hpp"
#include "verify/shard_check.hpp"

namespace shardpipe::verify {

struct ShardVerdict {
  ShardReport report;
  std::string checkpoint;  // as stored, displayed ("" when none)
};

struct VerifyReport {
  std::string pipe;
  std::filesystem::path target_path;
  std::optional<std::filesystem::path> dead_letter_path;
  int parallelization_factor = 1;
  std::vector<ShardVerdict> shards;  // by shard id
  ScanProblems problems;             // output lines that name no record
};

// Why this pipe's output cannot be checked (a configuration matter: exit status 2), if it cannot.
std::optional<std::string> unverifiable_reason(const config::PipeConfig& pipe);

// Checks the shards of the checkpoint store, and any shard the output names, against `source`.
Result<VerifyReport> verify_pipe(const config::PipeConfig& pipe, Source& source,
                                 coordination::CheckpointStore& store);

}  // namespace shardpipe::verify
