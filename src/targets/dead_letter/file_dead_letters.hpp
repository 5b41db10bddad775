// The file dead-letter destination: <path>/<shardId>.jsonl, one entry per line, each write
// fdatasynced before it returns. A partial last line left by a crash is cut off when the file
// is opened again, so every line is a complete entry.
#pragma once

#include <filesystem>
#include <memory>

#include "targets/dead_letter/dead_letters.hpp"

namespace shardpipe {

std::unique_ptr<DeadLetterDestination> make_file_dead_letters(const std::filesystem::path& folder,
                                                              const std::string& pipe);

// Truncates `file` after its last newline; returns false (errno set) on an I/O error.
bool cut_partial_last_line(const std::filesystem::path& file);

}  // namespace shardpipe
