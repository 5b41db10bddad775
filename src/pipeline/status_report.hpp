// What `status` shows (CONTRACT section 7, `status --json`): every shard of the source with its
// state, lease, checkpoint and lag. Shared by the command and the admin endpoint's /status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "sources/source.hpp"

namespace shardpipe {

struct ShardStatus {
  ShardDescription description;
  std::string state;                       // open | closed | finished
  std::optional<std::string> lease_owner;  // only while the lease is live
  std::optional<int64_t> lease_age_ms;     // since the owner last renewed or checkpointed
  int64_t lease_counter = 0;
  std::string checkpoint;  // as displayed; empty when none
  std::optional<uint64_t> records_behind;
  std::optional<int64_t> millis_behind;
  std::optional<std::string> pending_reset;  // as displayed
  // Entries in the dead letters that came from this shard; nullopt when they cannot be counted
  // (no dead_letter section, or a destination that cannot be read back, such as http).
  std::optional<uint64_t> dead_letters;
};

struct PipeStatus {
  std::string pipe;
  std::vector<ShardStatus> shards;
  std::optional<uint64_t> dead_letters_total;  // every entry, of listed shards or not
  std::string dead_letters_note;  // why there is no count, for the table; empty with a count
};

// Opens the pipe's source and checkpoint store of its own (so it may run beside a running pipe)
// and reads every shard's status.
Result<PipeStatus> read_pipe_status(const config::PipeConfig& pipe);

// The `status --json` document, without a trailing newline.
std::string status_json(const PipeStatus& status);
// The `status` table, one line per shard after a header line, then the dead-letter total.
std::string status_table(const PipeStatus& status);

// A checkpoint as shown to people: AT_TIMESTAMP values in RFC 3339.
std::string display_checkpoint(const std::string& value);

}  // namespace shardpipe
