// DIR/SEQUENCE: the log's sequence counter, shared by every writer under the directory lock.
//
// One fixed-width line: "<next sequence, 20 digits> <last arrival µs, 20 digits> <clean|dirty>\n".
// A writer marks it dirty (with the counter already advanced) before it writes frames and clean
// after they are fsynced, so the next lock holder knows when a writer died mid-append. The file
// is never fsynced: after a machine crash it may be stale, which is why every new writer
// recomputes the counter from the shards' tails before trusting it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "sources/local/io.hpp"

namespace shardpipe::local::detail {

// Sequence numbers start here; 0 never names a record, so "starting_sequence - 1" is always valid.
inline constexpr uint64_t first_sequence_number = 1;

struct SequenceState {
  uint64_t next_sequence = first_sequence_number;
  int64_t last_arrival_us = 0;  // arrival times never go backwards across writers
  bool clean = true;
};

class SequenceFile {
 public:
  explicit SequenceFile(const std::filesystem::path& dir);

  // nullopt when the file is missing or unreadable (a recovery rebuilds it).
  std::optional<SequenceState> read();
  void write(const SequenceState& state);

 private:
  std::filesystem::path path_;
  UniqueFd fd_;
};

}  // namespace shardpipe::local::detail
