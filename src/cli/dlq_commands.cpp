// `shardpipe dlq list | replay`: the file dead-letter destination, read and replayed.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/pipe_loading.hpp"
#include "cli/progress_line.hpp"
#include "enrich/enriching_target.hpp"
#include "pipeline/dead_letter_replay.hpp"
#include "targets/dead_letter/stored_dead_letters.hpp"

namespace shardpipe::cli {
namespace {

// The dead-letter folder of a pipe, or nothing (with the reason printed) when it has none.
std::optional<std::filesystem::path> dead_letter_folder(const config::PipeConfig& pipe) {
  if (!pipe.dead_letter) {
    fmt::print(stderr, "{}: error: the pipe has no dead_letter section\n", pipe.file.string());
    return std::nullopt;
  }
  if (pipe.dead_letter->type != "file") {
    fmt::print(stderr,
               "{}: error: dlq commands read a file dead-letter destination; this pipe's is "
               "'{}'\n",
               pipe.file.string(), pipe.dead_letter->type);
    return std::nullopt;
  }
  return pipe.dead_letter->path;
}

std::string one_line(std::string text, size_t limit) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (text.size() > limit) text = text.substr(0, limit - 3) + "...";
  return text;
}

}  // namespace

int dlq_list(const std::string& pipe_file, bool json) {
  auto pipe = load_pipe(pipe_file);
  if (!pipe) return exit_usage;
  auto folder = dead_letter_folder(*pipe);
  if (!folder) return exit_usage;
  auto stored = read_stored_dead_letters(*folder);
  if (!stored) {
    fmt::print(stderr, "error: {}\n", stored.error().message);
    return exit_failure;
  }
  for (const auto& problem : stored->problems) fmt::print(stderr, "warning: {}\n", problem);
  if (json) {
    // The entries exactly as stored, one per line.
    for (const auto& entry : stored->entries) fmt::print("{}\n", entry.line);
    return exit_ok;
  }
  if (stored->entries.empty()) {
    fmt::print("no dead letters in {}\n", folder->string());
    return exit_ok;
  }
  fmt::print("{:<24}  {:<26}  {:<40}  {:>8}  {}\n", "TIMESTAMP", "CONDITION", "EVENT ID",
             "ATTEMPTS", "ERROR");
  for (const auto& entry : stored->entries) {
    std::string error = entry.status_code
                            ? fmt::format("[{}] {}", *entry.status_code, entry.error_message)
                            : entry.error_message;
    fmt::print("{:<24}  {:<26}  {:<40}  {:>8}  {}\n", entry.timestamp, entry.condition,
               entry.event_id, entry.attempts, one_line(error, 100));
  }
  fmt::print("{} dead letter{}\n", stored->entries.size(), stored->entries.size() == 1 ? "" : "s");
  return exit_ok;
}

int dlq_replay(const std::string& pipe_file, const std::vector<std::string>& event_ids) {
  auto pipe = load_pipe(pipe_file);
  if (!pipe) return exit_usage;
  auto folder = dead_letter_folder(*pipe);
  if (!folder) return exit_usage;
  auto target = make_target(pipe->target);
  // Dead letters hold the records as read: a replay enriches them as the pipe would.
  if (target && pipe->enrichment) {
    target = make_enriching_target(*pipe->enrichment, std::move(*target));
  }
  if (!target) {
    fmt::print(stderr, "error: {}\n", target.error().message);
    return exit_failure;
  }
  ReplayOptions options{.event_ids = event_ids,
                        .batch_size = static_cast<size_t>(pipe->source.batch_size),
                        .retry = RetryPolicy::from(pipe->retry)};
  if (pipe->transform) {
    auto transform = transform::compile_template(*pipe->transform);
    if (!transform) {
      fmt::print(stderr, "error: transform: {}\n", transform.error().message);
      return exit_usage;
    }
    options.transform = std::move(*transform);
  }
  ProgressLine progress("replayed", "entries");
  if (progress.enabled()) {
    options.on_progress = [&progress](size_t sent, size_t total) {
      progress.update({.done = sent, .total = total});
    };
  }
  auto replayed = replay_dead_letters(*folder, **target, options);
  progress.finish();
  if (!replayed) {
    fmt::print(stderr, "error: {}\n", replayed.error().message);
    return exit_failure;
  }
  for (const auto& problem : replayed->problems) fmt::print(stderr, "{}\n", problem);
  fmt::print("replayed: {} delivered and removed, {} kept\n", replayed->delivered, replayed->kept);
  bool complete = replayed->kept == 0 && replayed->problems.empty();
  return complete ? exit_ok : exit_failure;
}

}  // namespace shardpipe::cli
