// The exactly-once file target (CONTRACT section 5).
//
// Each shard writes <path>/<shardId>/<first sequence, zero-padded to 20 digits>.jsonl holding at
// most records_per_file records. A file is built in memory, written under a temporary name,
// fsynced, renamed and its folder fsynced; only then are its records reported delivered. File
// boundaries depend only on the checkpoint the shard resumes from, so a replay after a crash
// rewrites the same names with the same content and the output holds every record once.
#pragma once

#include <filesystem>
#include <memory>

#include "targets/target.hpp"

namespace shardpipe {

std::unique_ptr<Target> make_file_target(const std::filesystem::path& path, int records_per_file);

// "<first sequence zero-padded to 20 digits>.jsonl"; "SEQ:N" (inside a KPL aggregate) becomes
// "SEQ-<N zero-padded to 10 digits>.jsonl"
std::string file_target_name(const std::string& first_sequence);

}  // namespace shardpipe
