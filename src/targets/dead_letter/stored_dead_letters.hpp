// Reading back what the file dead-letter destination holds, for `dlq list` and `dlq replay`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace shardpipe {

struct StoredDeadLetter {
  std::filesystem::path file;
  std::string line;  // exactly as stored: what `dlq replay` removes once the record is delivered
  std::string timestamp;
  std::string condition;
  std::string error_message;
  std::optional<int> status_code;
  int attempts = 0;
  std::string event_id;
  std::string shard_id;  // shardId, or topic-partition for Kafka
  std::string sequence_number;
  std::string partition_key;
  std::optional<std::string> envelope;  // the record as compact JSON; none when it was undecodable
};

struct StoredDeadLetters {
  std::vector<StoredDeadLetter> entries;  // file by file in name order, each in line order
  std::vector<std::string> problems;      // lines that are not entries, with file and line number
};

// Every entry under `folder` (<folder>/*.jsonl). A missing folder holds no entries.
Result<StoredDeadLetters> read_stored_dead_letters(const std::filesystem::path& folder);

// How many entries the folder holds, by the shard they came from (shardId, or topic-partition for
// Kafka), counted as read_stored_dead_letters would find them. Reads one line at a time, so it
// needs little memory however large the files are.
struct DeadLetterCounts {
  std::map<std::string, uint64_t> by_shard;
  uint64_t total = 0;
};
Result<DeadLetterCounts> count_stored_dead_letters(const std::filesystem::path& folder);

}  // namespace shardpipe
