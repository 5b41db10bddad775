// How `shardpipe verify` presents its findings: a table with one line per finding, or JSON; and
// what they amount to (the exit status).
#pragma once

#include <string>

#include "verify/pipe_verifier.hpp"

namespace shardpipe::verify {

enum class Verdict {
  clean,
  warnings,  // duplicates where parallelization_factor > 1 allows them
  failed,    // gaps, unexpected records, unreadable lines, or duplicates with factor 1
};

Verdict verdict_of(const VerifyReport& report);
std::string verdict_name(Verdict verdict);  // "clean" | "warnings" | "failed"

// The `verify --json` document (docs/operations.md), without a trailing newline.
std::string report_json(const VerifyReport& report);
// The table, the findings shard by shard, and a last line `result: ...`.
std::string report_text(const VerifyReport& report);

}  // namespace shardpipe::verify
