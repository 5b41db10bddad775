#include "config/finalize.hpp"

#include <filesystem>
#include <string>
#include <string_view>

#include "core/units.hpp"

namespace shardpipe::config {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite:";

std::filesystem::path resolve(const std::filesystem::path& base_dir,
                              const std::filesystem::path& path) {
  return (path.is_absolute() ? path : base_dir / path).lexically_normal();
}

// AT_TIMESTAMP and starting_position_timestamp come together or not at all.
void check_starting_timestamp(const PipeConfig& config, const SeenKeys& seen,
                              Diagnostics& diagnostics) {
  constexpr std::string_view position_key = "source.starting_position";
  constexpr std::string_view timestamp_key = "source.starting_position_timestamp";
  if (!seen.usable(position_key) || !seen.usable(timestamp_key)) return;
  bool at_timestamp = config.source.starting_position == StartingPosition::at_timestamp;
  bool has_timestamp = seen.given(timestamp_key);
  if (at_timestamp && !has_timestamp) {
    diagnostics.error(seen.find(position_key)->value,
                      "starting_position AT_TIMESTAMP needs starting_position_timestamp, e.g. "
                      "starting_position_timestamp: 2026-11-22T10:00:00Z");
  } else if (!at_timestamp && has_timestamp) {
    diagnostics.error(seen.find(timestamp_key)->value,
                      "starting_position_timestamp is only used with starting_position: "
                      "AT_TIMESTAMP; set starting_position: AT_TIMESTAMP or remove the timestamp");
  }
}

void check_backoff(const PipeConfig& config, const SeenKeys& seen, Diagnostics& diagnostics) {
  constexpr std::string_view initial_key = "retry.backoff_initial";
  constexpr std::string_view max_key = "retry.backoff_max";
  if (!seen.usable(initial_key) || !seen.usable(max_key)) return;
  const RetryConfig& retry = config.retry;
  if (retry.backoff_initial <= retry.backoff_max) return;
  // Point at whichever of the two was written; at least one was, since the defaults agree.
  const SeenKey* at = seen.given(initial_key) ? seen.find(initial_key) : seen.find(max_key);
  diagnostics.error(at->value, "backoff_initial (" + format_duration(retry.backoff_initial) +
                                   ") must not exceed backoff_max (" +
                                   format_duration(retry.backoff_max) +
                                   "); lower backoff_initial or raise backoff_max");
}

// A record that json or text cannot decode must have somewhere to go, or the pipe stops.
void check_decode_error_destination(const PipeConfig& config, const SeenKeys& seen,
                                    Diagnostics& diagnostics) {
  constexpr std::string_view encoding_key = "source.data_encoding";
  constexpr std::string_view policy_key = "source.on_decode_error";
  if (!seen.usable(encoding_key) || !seen.usable(policy_key)) return;
  if (config.source.data_encoding == DataEncoding::base64) return;  // any bytes are valid base64
  if (config.source.on_decode_error != OnDecodeError::dead_letter || config.dead_letter) return;
  const SeenKey* at = seen.given(policy_key) ? seen.find(policy_key) : seen.find(encoding_key);
  if (!at) return;
  diagnostics.error(at->value,
                    "records that data_encoding cannot decode go to the dead letters "
                    "(on_decode_error: dead_letter), but there is no dead_letter section; add one, "
                    "e.g. dead_letter: { type: file, path: ./dlq }, or set on_decode_error: fail");
}

// Retry limits end in the dead letters; without a destination a record out of attempts would stop
// the pipe, which is what the limits were set to avoid.
void check_retry_limit_destination(const PipeConfig& config, const SeenKeys& seen,
                                   Diagnostics& diagnostics) {
  if (config.dead_letter) return;
  for (std::string_view key : {"retry.maximum_retry_attempts", "retry.maximum_record_age"}) {
    if (!seen.usable(key) || !seen.given(key)) continue;
    bool limited = key.ends_with("attempts") ? config.retry.maximum_retry_attempts >= 0
                                             : config.retry.maximum_record_age.has_value();
    if (!limited) continue;
    std::string name(key.substr(key.find('.') + 1));
    diagnostics.error(seen.find(key)->value,
                      "records that reach " + name +
                          " go to the dead letters, but there is no dead_letter section; add "
                          "one, e.g. dead_letter: { type: file, path: ./dlq }, or set " +
                          name + ": -1");
  }
}

// Defaults that are spelt with the pipe's name.
void apply_name_defaults(PipeConfig& config, const SeenKeys& seen) {
  const SeenKey* name = seen.find("name");
  if (!name || !name->stored) return;
  if (config.source.consumer_group.empty()) config.source.consumer_group = config.name;
  if (!seen.given("checkpoint.store")) {
    config.checkpoint.store = std::string(kSqlitePrefix) + "./state/" + config.name + ".db";
  }
}

// sqlite:PATH is relative to the pipe file's folder, like every other path in it.
void resolve_store_path(PipeConfig& config) {
  std::string& store = config.checkpoint.store;
  if (!store.starts_with(kSqlitePrefix)) return;
  std::filesystem::path path = store.substr(kSqlitePrefix.size());
  store = std::string(kSqlitePrefix) + resolve(config.base_dir, path).string();
}

}  // namespace

void finalize(PipeConfig& config, const SeenKeys& seen, Diagnostics& diagnostics) {
  check_starting_timestamp(config, seen, diagnostics);
  check_backoff(config, seen, diagnostics);
  check_decode_error_destination(config, seen, diagnostics);
  check_retry_limit_destination(config, seen, diagnostics);
  apply_name_defaults(config, seen);
  resolve_store_path(config);
  config.target.base_dir = config.base_dir;
  if (config.enrichment) config.enrichment->base_dir = config.base_dir;
}

}  // namespace shardpipe::config
