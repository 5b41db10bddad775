// Helpers for tests that drive pipes from the local log into the file target through the
// shardpipe binary: put records and learn where they went, read back what the target holds,
// compare the two, and read checkpoints and status.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process.hpp"

namespace shardpipe::testing {

// `BINARY log create LOG_DIR --shards N`; throws when it fails.
void create_log(const std::string& binary, const std::filesystem::path& log_dir, int shards);

// Creates the pipe's checkpoint store ahead of its first run (`checkpoint list` does), so a
// test polling `status` while a run starts does not race the store's creation. Throws on failure.
void create_store(const std::string& binary, const std::filesystem::path& pipe_file);

// `BINARY run PIPE --worker-id WORKER --stop-when-idle IDLE`, killed if it runs past a minute.
Completed run_until_idle(const std::string& binary, const std::filesystem::path& pipe_file,
                         const std::string& worker = "test-worker", const std::string& idle = "1s");

// One record as `log put --verbose` placed it.
struct PutRecord {
  std::string shard_id;
  uint64_t sequence = 0;
  std::string data;
};

// Runs `BINARY log put LOG_DIR --verbose EXTRA...` with one line per entry of `lines` and
// returns where each record went, in input order. Throws when the command fails.
std::vector<PutRecord> put_records(const std::string& binary, const std::filesystem::path& log_dir,
                                   const std::vector<std::string>& lines,
                                   const std::vector<std::string>& extra_args = {});

// Puts `count` JSON records {"k":"key-<i>","group":NAME}, keyed by "k", into LOG_DIR.
std::vector<PutRecord> put_keyed_group(const std::string& binary,
                                       const std::filesystem::path& log_dir,
                                       const std::string& name, int count);

// One record found in a file target's output.
struct DeliveredRecord {
  std::string shard_id;  // the folder it was found in
  uint64_t sequence = 0;
  std::string data;  // decoded from base64 (data_encoding: base64, the default)
  nlohmann::json envelope;
  std::filesystem::path file;
};

// The .jsonl files a file target holds under `out_dir`, in name order (shard folder, then first
// sequence number); none when `out_dir` does not exist.
std::vector<std::filesystem::path> file_target_files(const std::filesystem::path& out_dir);

// Every record a file target holds under `out_dir`, file by file in name order. Throws on a line
// that is not an envelope. Missing `out_dir` means nothing was delivered.
std::vector<DeliveredRecord> read_file_target(const std::filesystem::path& out_dir);

// Files under `out_dir` that a finished file target must not leave behind (anything not .jsonl).
std::vector<std::filesystem::path> stray_files(const std::filesystem::path& out_dir);

// Empty when `delivered` holds every record of `expected` exactly once, with its data, and
// nothing else; otherwise a description of what is missing, duplicated, unexpected or altered.
std::string exactly_once(const std::vector<PutRecord>& expected,
                         const std::vector<DeliveredRecord>& delivered);

// `checkpoint list PIPE --json` as shard id -> checkpoint ("" where there is none). Throws when
// the command fails.
std::map<std::string, std::string> checkpoints(const std::string& binary,
                                               const std::filesystem::path& pipe_file);

// `status PIPE --json`, parsed. Throws when the command fails.
nlohmann::json status_json(const std::string& binary, const std::filesystem::path& pipe_file);

// Empty when every record of `put` at or below its shard's numeric checkpoint is in `delivered`
// (a checkpoint never passes an undelivered record); otherwise the records it passed.
std::string checkpoints_covered(const std::vector<PutRecord>& put,
                                const std::vector<DeliveredRecord>& delivered,
                                const std::map<std::string, std::string>& checkpoints);

// Empty when every shard of `put` is checkpointed at its last record put; otherwise which are not.
std::string checkpointed_to_the_end(const std::string& binary,
                                    const std::filesystem::path& pipe_file,
                                    const std::vector<PutRecord>& put);

// True when `checkpoint` is a sequence number rather than a sentinel or nothing.
bool is_sequence(const std::string& checkpoint);

// The dead-letter entries of a file destination under `folder` (every *.jsonl), parsed.
std::vector<nlohmann::json> dead_letter_entries(const std::filesystem::path& folder);

// Relative path -> content of every regular file under `dir`.
std::map<std::string, std::string> file_tree(const std::filesystem::path& dir);

// Polls `condition` every 50 ms until it holds (true) or `timeout` passes (false).
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// The current UTC time as RFC 3339 with milliseconds, e.g. 2026-01-02T03:04:05.678Z.
std::string rfc3339_now();

// The records of `records` put into `shard_id`; `a` followed by `b`.
std::vector<PutRecord> in_shard(const std::vector<PutRecord>& records, const std::string& shard_id);
std::vector<PutRecord> concat(std::vector<PutRecord> a, const std::vector<PutRecord>& b);

}  // namespace shardpipe::testing
