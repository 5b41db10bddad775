// `dlq replay`: sends records from the file dead-letter destination to the pipe's target again,
// and removes each entry whose record is delivered. Entries whose record failed again, or could
// never be decoded, stay where they are.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "pipeline/retry_policy.hpp"
#include "targets/target.hpp"
#include "transform/input_template.hpp"

namespace shardpipe {

struct ReplayOptions {
  std::vector<std::string> event_ids;  // empty: every entry
  size_t batch_size = 100;
  int attempts = 3;   // per batch, for retriable failures, before an entry is kept
  RetryPolicy retry;  // its backoff paces those attempts
  // The pipe's transform: entries hold the record as the source gave it.
  std::optional<transform::InputTemplate> transform;
  // Called after each batch with the entries sent so far (delivered or not) and how many will be.
  std::function<void(size_t sent, size_t total)> on_progress;
};

struct ReplayResult {
  size_t delivered = 0;               // delivered and removed from the dead letters
  size_t kept = 0;                    // selected, but still in the dead letters
  std::vector<std::string> problems;  // one line per kept entry or unknown event id
};

Result<ReplayResult> replay_dead_letters(const std::filesystem::path& folder, Target& target,
                                         const ReplayOptions& options);

}  // namespace shardpipe
