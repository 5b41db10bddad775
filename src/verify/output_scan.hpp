// What the output of a pipe holds, as occurrences of sequence numbers: the file target's lines
// (CONTRACT section 5) and the file dead letters' entries (section 4). Only the sequence numbers
// are kept, never the envelopes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "verify/shard_check.hpp"

namespace shardpipe::verify {

// Lines that are not what they should be, counted, the first few described with file and line.
struct ScanProblems {
  static constexpr size_t max_listed = 20;
  uint64_t count = 0;
  std::vector<std::string> first;
  void add(std::string problem);
};

// The shard folders under a file target's path (a missing path holds none), sorted.
Result<std::vector<std::string>> target_shards(const std::filesystem::path& target_dir);

// Appends one occurrence per line of <shard_dir>/*.jsonl. Temporary files (a write a crash
// interrupted, never reported delivered) are not output and are skipped.
Status scan_target_shard(const std::filesystem::path& shard_dir, std::vector<Occurrence>& out,
                         ScanProblems& problems);

// Every entry of a file dead-letter folder, by the shard it came from.
Result<std::map<std::string, std::vector<Occurrence>>> scan_dead_letters(
    const std::filesystem::path& folder, ScanProblems& problems);

}  // namespace shardpipe::verify
