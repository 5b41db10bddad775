// `shardpipe run | validate | status | checkpoint | config`: commands that read a pipe file.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.hpp"
#include "cli/pipe_loading.hpp"
#include "cli/progress_line.hpp"
#include "config/loader.hpp"
#include "config/reference.hpp"
#include "coordination/checkpoint_store.hpp"
#include "core/clock.hpp"
#include "core/sequence_number.hpp"
#include "core/units.hpp"
#include "pipeline/pipe_runner.hpp"
#include "pipeline/status_report.hpp"
#include "sources/source_factory.hpp"

namespace shardpipe::cli {
namespace {

namespace cs = coordination;
using namespace std::chrono_literals;

std::string describe_error(const Error& error) {
  return error.message;
}

std::optional<std::string> to_checkpoint_value(const std::string& position) {
  if (position == cs::checkpoint_trim_horizon || position == cs::checkpoint_latest) return position;
  if (position.starts_with(cs::checkpoint_at_timestamp_prefix)) {
    auto ms = parse_rfc3339_ms(position.substr(cs::checkpoint_at_timestamp_prefix.size()));
    if (!ms) return std::nullopt;
    return fmt::format("{}{}", cs::checkpoint_at_timestamp_prefix, *ms);
  }
  // SEQ:N: after sub-record N of the KPL aggregate SEQ (the KCL's checkpointSubSequenceNumber).
  if (is_sequence_checkpoint(position)) return position;
  return std::nullopt;
}

}  // namespace

int validate(const std::string& pipe_file) {
  auto pipe = load_pipe(pipe_file);
  if (!pipe) return exit_usage;
  fmt::print("ok\n");
  return exit_ok;
}

int run(const std::string& pipe_file, std::string worker_id,
        std::optional<std::string> stop_when_idle) {
  // First: a SIGTERM while the pipe file loads must stop the pipe gracefully, not kill it.
  install_shutdown_handlers();
  auto pipe = load_pipe(pipe_file);
  if (!pipe) return exit_usage;
  RunOptions options;
  if (worker_id.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    worker_id = fmt::format("{}:{}", host, ::getpid());
  }
  options.worker_id = std::move(worker_id);
  if (stop_when_idle) {
    options.stop_when_idle = parse_duration(*stop_when_idle);
    if (!options.stop_when_idle) {
      fmt::print(stderr, "error: --stop-when-idle takes a duration like 2s or 500ms, got '{}'\n",
                 *stop_when_idle);
      return exit_usage;
    }
  }
  if (!options.stop_when_idle) return run_pipe(*pipe, options);
  // Working through a backlog: a progress line on a terminal, cleared when the run ends; log
  // lines are written above it.
  ProgressLine progress("handled", "records");
  ProgressAwareLogging logging(spdlog::default_logger(), progress);
  if (progress.enabled()) {
    options.on_progress = [&progress](const RunProgress& now) {
      progress.update({.done = now.records_handled, .left = now.records_behind});
    };
  }
  int exit_code = run_pipe(*pipe, options);
  progress.finish();
  return exit_code;
}

int status(const std::string& pipe_file, bool json, std::optional<std::string> watch) {
  auto pipe = load_pipe(pipe_file);
  if (!pipe) return exit_usage;
  std::optional<std::chrono::milliseconds> every;
  if (watch) {
    every = parse_duration(*watch);
    if (!every || every->count() <= 0) {
      fmt::print(stderr, "error: --watch takes a duration such as 2s, got '{}'\n", *watch);
      return exit_usage;
    }
  }
  // Until interrupted with --watch: the table redrawn on a terminal, one JSON line per round.
  const bool redraw = every && !json && ::isatty(STDOUT_FILENO);
  while (true) {
    auto status = read_pipe_status(*pipe);
    if (!status) {
      fmt::print(stderr, "error: {}\n", describe_error(status.error()));
      if (!every) return exit_failure;
    } else {
      if (redraw) fmt::print("\033[H\033[2J{}\n", format_rfc3339_ms(unix_now_ms()));
      fmt::print("{}", json ? status_json(*status) + "\n" : status_table(*status));
      std::fflush(stdout);
    }
    if (!every) return exit_ok;
    std::this_thread::sleep_for(*every);
  }
}

int checkpoint_list(const std::string& pipe_file, bool json) {
  auto pipe = load_pipe(pipe_file);
  if (!pipe) return exit_usage;
  auto store = open_pipe_checkpoints(*pipe);
  if (!store) {
    fmt::print(stderr, "error: {}\n", store.error().message);
    return exit_failure;
  }
  auto rows = (*store)->list();
  if (!rows) {
    fmt::print(stderr, "error: {}\n", rows.error().message);
    return exit_failure;
  }
  nlohmann::json out = {{"pipe", pipe->name}, {"checkpoints", nlohmann::json::array()}};
  std::string table = fmt::format("{:<22} {:<28} {:<24} {:>8} {:<24}\n", "SHARD", "CHECKPOINT",
                                  "UPDATED", "COUNTER", "PENDING RESET");
  for (const auto& row : *rows) {
    out["checkpoints"].push_back({
        {"shardId", row.shard_id},
        {"checkpoint", row.checkpoint.empty() ? nlohmann::json(nullptr)
                                              : nlohmann::json(display_checkpoint(row.checkpoint))},
        {"parentShardIds", row.parent_shard_ids},
        {"leaseOwner", row.owner.empty() ? nlohmann::json(nullptr) : nlohmann::json(row.owner)},
        {"leaseCounter", row.counter},
        {"pendingReset", row.pending_reset ? nlohmann::json(display_checkpoint(*row.pending_reset))
                                           : nlohmann::json(nullptr)},
        {"updated", format_rfc3339_ms(row.updated_ms)},
    });
    table += fmt::format("{:<22} {:<28} {:<24} {:>8} {:<24}\n", row.shard_id,
                         row.checkpoint.empty() ? "-" : display_checkpoint(row.checkpoint),
                         format_rfc3339_ms(row.updated_ms), row.counter,
                         row.pending_reset ? display_checkpoint(*row.pending_reset) : "-");
  }
  fmt::print("{}", json ? out.dump() + "\n" : table);
  return exit_ok;
}

namespace {

struct PendingReset {
  std::string shard_id;
  std::string shown;  // the new position, as printed
};

// Prints when each running owner adopts its reset, or that it has not yet after `patience`.
void wait_for_adoption(cs::CheckpointStore& store, std::vector<PendingReset> pending,
                       std::chrono::milliseconds patience) {
  const auto start = std::chrono::steady_clock::now();
  while (!pending.empty()) {
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::erase_if(pending, [&](const PendingReset& reset) {
      auto row = store.get(reset.shard_id);
      if (!row || !row->has_value() || (*row)->pending_reset) return false;
      fmt::print("{}: checkpoint set to {}, adopted by the running owner {} after {} ms\n",
                 reset.shard_id, reset.shown, (*row)->owner.empty() ? "-" : (*row)->owner,
                 waited.count());
      return true;
    });
    if (pending.empty()) return;
    if (waited >= patience) break;
    std::this_thread::sleep_for(100ms);
  }
  for (const auto& reset : pending) {
    fmt::print(
        "{}: reset to {} is pending: its owner has not adopted it within {} ms; it will at its "
        "next lease renewal, or whoever next takes the shard starts there\n",
        reset.shard_id, reset.shown, patience.count());
  }
}

}  // namespace

int checkpoint_set(const std::string& pipe_file, const std::vector<std::string>& shards, bool all,
                   const std::string& position) {
  auto pipe = load_pipe(pipe_file);
  if (!pipe) return exit_usage;
  auto value = to_checkpoint_value(position);
  if (!value) {
    fmt::print(stderr,
               "error: --to takes TRIM_HORIZON, LATEST, AT_TIMESTAMP=<RFC 3339>, a sequence "
               "number or SEQUENCE:SUBSEQUENCE, got '{}'\n",
               position);
    return exit_usage;
  }
  bool inside_aggregate = is_sequence_checkpoint(*value) && !is_sequence_number(*value);
  if (inside_aggregate && pipe->source.type != "kinesis") {
    fmt::print(stderr,
               "error: --to {}: a sub-sequence number (inside a KPL aggregate) applies to Kinesis "
               "sources only; this pipe's source is '{}'\n",
               position, pipe->source.type);
    return exit_usage;
  }
  auto source = make_source(pipe->source);
  auto store = open_pipe_checkpoints(*pipe);
  if (!source || !store) {
    fmt::print(stderr, "error: {}\n", source ? store.error().message : source.error().message);
    return exit_failure;
  }
  auto listed = (*source)->list_shards();
  if (!listed) {
    fmt::print(stderr, "error: {}\n", listed.error().message);
    return exit_failure;
  }
  std::map<std::string, ShardDescription> known;
  for (const auto& shard : *listed) known[shard.shard_id] = shard;
  std::vector<std::string> targets = shards;
  if (all) {
    for (const auto& [id, shard] : known) targets.push_back(id);
  }
  int result = exit_ok;
  std::vector<PendingReset> pending;
  for (const auto& shard_id : targets) {
    auto found = known.find(shard_id);
    if (found == known.end()) {
      fmt::print(stderr, "error: no shard '{}' in the source of pipe '{}'\n", shard_id, pipe->name);
      result = exit_failure;
      continue;
    }
    if (auto ensured = (*store)->ensure_shard(shard_id, found->second.parent_shard_ids); !ensured) {
      fmt::print(stderr, "error: {}\n", ensured.error().message);
      result = exit_failure;
      continue;
    }
    std::string shard_value = *value;
    if (shard_value == cs::checkpoint_latest) {
      // LATEST means the shard's tip now: resolved once, so it does not move later.
      auto resolved = (*source)->resolve_latest(shard_id);
      if (!resolved) {
        fmt::print(stderr, "error: {}: {}\n", shard_id, resolved.error().message);
        result = exit_failure;
        continue;
      }
      shard_value = *resolved;
    }
    auto set = (*store)->set_checkpoint(shard_id, shard_value);
    std::string shown = shard_value == *value ? display_checkpoint(shard_value)
                                              : fmt::format("{} (resolved to {})", position,
                                                            display_checkpoint(shard_value));
    if (!set) {
      fmt::print(stderr, "error: {}: {}\n", shard_id, set.error().message);
      result = exit_failure;
    } else if (*set == cs::SetOutcome::applied) {
      fmt::print("{}: checkpoint set to {} (no worker owns the shard)\n", shard_id, shown);
    } else {
      pending.push_back({shard_id, shown});
    }
  }
  // A running owner adopts a reset at its next lease renewal (every lease_duration / 3).
  wait_for_adoption(**store, pending, 2 * pipe->checkpoint.lease_duration + 2s);
  return result;
}

int config_reference() {
  fmt::print("{}", config::configuration_reference_markdown());
  return exit_ok;
}

}  // namespace shardpipe::cli
