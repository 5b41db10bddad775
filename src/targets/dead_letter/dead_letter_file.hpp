// One file of the file dead-letter destination, <path>/<shardId>.jsonl, as both its writer (a
// running pipe) and `dlq replay` (another process) see it.
//
// They agree on one protocol: whoever changes the file holds an exclusive flock on it, and after
// taking the lock checks that the path still names the file it opened. Replay rewrites a file
// by writing a new one and renaming it over the old; a writer that was waiting on the old one
// notices and opens the new one, so no entry is ever appended to a file that was replaced.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace shardpipe {

// An open, exclusively locked dead-letter file, with any partial last line (from a crash while
// writing) cut off. Unlocked and closed on destruction.
class LockedDeadLetterFile {
 public:
  static Result<LockedDeadLetterFile> open(const std::filesystem::path& file);
  LockedDeadLetterFile(LockedDeadLetterFile&& other) noexcept;
  LockedDeadLetterFile& operator=(LockedDeadLetterFile&&) = delete;
  ~LockedDeadLetterFile();

  // Appends whole lines and fdatasyncs; on failure nothing of `text` is left in the file.
  Status append(std::string_view text);
  // The complete lines of the file, without their newlines.
  Result<std::vector<std::string>> lines() const;
  // Replaces the file's content by `lines` (each gets a newline) through a synced temporary file
  // renamed over it; the lock is kept until this object goes away.
  Status replace(const std::vector<std::string>& lines);

 private:
  LockedDeadLetterFile(std::filesystem::path file, int fd) : file_(std::move(file)), fd_(fd) {}
  std::filesystem::path file_;
  int fd_ = -1;
};

// Removes the lines equal to one of `remove` from `file`, keeping every other line, including
// lines appended since they were read.
Status remove_dead_letter_lines(const std::filesystem::path& file,
                                const std::set<std::string>& remove);

// Syncs a folder, so that a file created or renamed in it survives a crash.
void sync_folder(const std::filesystem::path& folder);

}  // namespace shardpipe
