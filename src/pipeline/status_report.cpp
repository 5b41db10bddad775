#include "pipeline/status_report.hpp"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "coordination/checkpoint_store.hpp"
#include "core/clock.hpp"
#include "core/sequence_number.hpp"
#include "core/units.hpp"
#include "sources/source_factory.hpp"
#include "targets/dead_letter/stored_dead_letters.hpp"

namespace shardpipe {

namespace cs = coordination;

std::string display_checkpoint(const std::string& value) {
  if (value.starts_with(cs::checkpoint_at_timestamp_prefix)) {
    return fmt::format(
        "{}{}", cs::checkpoint_at_timestamp_prefix,
        format_rfc3339_ms(std::stoll(value.substr(cs::checkpoint_at_timestamp_prefix.size()))));
  }
  return value;
}

Result<PipeStatus> read_pipe_status(const config::PipeConfig& pipe) {
  auto source = make_source(pipe.source);
  if (!source) return fail(source.error());
  auto store = open_pipe_checkpoints(pipe);
  if (!store) return fail(store.error());
  auto shards = (*source)->list_shards();
  if (!shards) return fail(shards.error());
  auto rows = (*store)->list();
  if (!rows) return fail(rows.error());
  std::map<std::string, cs::LeaseRow> by_id;
  for (auto& row : *rows) by_id[row.shard_id] = row;
  PipeStatus out{pipe.name, {}};
  // Dead letters can be counted where they can be read back: the file destination.
  std::optional<DeadLetterCounts> dead_letters;
  if (!pipe.dead_letter) {
    out.dead_letters_note = "none (no dead_letter section)";
  } else if (pipe.dead_letter->type != "file") {
    out.dead_letters_note = fmt::format("n/a ({} destination)", pipe.dead_letter->type);
  } else if (auto counted = count_stored_dead_letters(pipe.dead_letter->path); counted) {
    dead_letters = std::move(*counted);
    out.dead_letters_total = dead_letters->total;
  } else {
    out.dead_letters_note = fmt::format("n/a ({})", counted.error().message);
  }
  for (const auto& shard : *shards) {
    ShardStatus status{.description = shard};
    std::optional<cs::LeaseRow> row;
    if (auto found = by_id.find(shard.shard_id); found != by_id.end()) row = found->second;
    std::string checkpoint = row ? row->checkpoint : "";
    if (row && row->checkpoint == cs::checkpoint_shard_end) {
      status.state = "finished";
      status.records_behind = 0;
    } else {
      status.state = shard.open ? "open" : "closed";
      auto lag = (*source)->lag(shard.shard_id, is_sequence_number(checkpoint) ? checkpoint : "");
      if (lag) {
        status.records_behind = lag->records_behind;
        status.millis_behind = lag->millis_behind;
      }
    }
    if (row && !row->owner.empty() && row->expires_ms > unix_now_ms()) {
      status.lease_owner = row->owner;
      // Since the owner last renewed or checkpointed. A Kafka group's assignment is not renewed
      // in a store: no age.
      if (row->updated_ms > 0) {
        status.lease_age_ms = std::max<int64_t>(0, unix_now_ms() - row->updated_ms);
      }
    }
    status.lease_counter = row ? row->counter : 0;
    if (!checkpoint.empty()) status.checkpoint = display_checkpoint(checkpoint);
    if (row && row->pending_reset) status.pending_reset = display_checkpoint(*row->pending_reset);
    if (dead_letters) {
      auto found = dead_letters->by_shard.find(shard.shard_id);
      status.dead_letters = found == dead_letters->by_shard.end() ? 0 : found->second;
    }
    out.shards.push_back(std::move(status));
  }
  return out;
}

namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

std::string status_json(const PipeStatus& status) {
  nlohmann::json out = {{"pipe", status.pipe}, {"shards", nlohmann::json::array()}};
  for (const auto& shard : status.shards) {
    nlohmann::json entry = {
        {"shardId", shard.description.shard_id},
        {"parentShardIds", shard.description.parent_shard_ids},
        {"state", shard.state},
        {"leaseOwner", or_null(shard.lease_owner)},
        {"leaseAgeMs", or_null(shard.lease_age_ms)},
        {"leaseCounter", shard.lease_counter},
        {"checkpoint",
         shard.checkpoint.empty() ? nlohmann::json(nullptr) : nlohmann::json(shard.checkpoint)},
        {"recordsBehind", or_null(shard.records_behind)},
        {"millisBehind", or_null(shard.millis_behind)},
        {"deadLetters", or_null(shard.dead_letters)},
    };
    if (shard.pending_reset) entry["pendingReset"] = *shard.pending_reset;
    out["shards"].push_back(entry);
  }
  out["deadLettersTotal"] = or_null(status.dead_letters_total);
  return out.dump();
}

std::string status_table(const PipeStatus& status) {
  std::string table = fmt::format("{:<22} {:<28} {:<9} {:<24} {:>9} {:<22} {:>14} {:>12} {:>12}\n",
                                  "SHARD", "PARENTS", "STATE", "LEASE OWNER", "LEASE AGE",
                                  "CHECKPOINT", "RECORDS BEHIND", "MS BEHIND", "DEAD LETTERS");
  for (const auto& shard : status.shards) {
    const auto& parents = shard.description.parent_shard_ids;
    table +=
        fmt::format("{:<22} {:<28} {:<9} {:<24} {:>9} {:<22} {:>14} {:>12} {:>12}\n",
                    shard.description.shard_id,
                    parents.empty() ? "-" : fmt::format("{}", fmt::join(parents, ",")), shard.state,
                    shard.lease_owner.value_or("-"),
                    shard.lease_age_ms ? fmt::format("{:.1f}s", *shard.lease_age_ms / 1000.0) : "-",
                    shard.checkpoint.empty() ? "-" : shard.checkpoint,
                    shard.records_behind ? std::to_string(*shard.records_behind) : "-",
                    shard.millis_behind ? std::to_string(*shard.millis_behind) : "-",
                    shard.dead_letters ? std::to_string(*shard.dead_letters) : "-");
  }
  table += fmt::format("dead letters: {}\n", status.dead_letters_total
                                                 ? std::to_string(*status.dead_letters_total)
                                                 : status.dead_letters_note);
  return table;
}

}  // namespace shardpipe
