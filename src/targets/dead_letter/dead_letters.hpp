// Dead letters (CONTRACT section 4): one JSON entry per record that will not be delivered, with
// why, how often it was tried, where it came from, and the record itself. A record counts as
// handled only once its entry is durably written.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "config/pipe_config.hpp"
#include "core/record.hpp"
#include "core/result.hpp"

namespace shardpipe {

struct DeadLetter {
  std::string condition;  // RetryAttemptsExhausted | MaximumRecordAgeExceeded | DecodeError |
                          // TransformError
  std::string message;
  std::optional<int> status_code;
  int attempts = 0;
  std::string source_type;  // local, kinesis, ...
  std::string shard_id;
  const Record* record = nullptr;
};

// The entry as one line of JSON (no newline).
std::string render_dead_letter(const DeadLetter& letter, const std::string& pipe, int64_t unix_ms);

class DeadLetterDestination {
 public:
  virtual ~DeadLetterDestination() = default;
  // Durable when it returns without an error; on an error nothing may be assumed written.
  virtual Status write(std::span<const DeadLetter> letters) = 0;
};

Result<std::unique_ptr<DeadLetterDestination>> make_dead_letter_destination(
    const config::DeadLetterConfig& config, const std::string& pipe);

}  // namespace shardpipe
