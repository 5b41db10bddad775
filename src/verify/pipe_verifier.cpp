#include "verify/pipe_verifier.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/sequence_number.hpp"
#include "filter/record_filter.hpp"
#include "pipeline/status_report.hpp"
#include "verify/record_identity.hpp"

namespace shardpipe::verify {
namespace {

namespace cs = coordination;
namespace fs = std::filesystem;

// Small reads: only sequence numbers outlive a batch.
constexpr size_t read_records = 1000;
constexpr size_t read_bytes = 4 * 1024 * 1024;

// A shard's first position is exactly known only when it is TRIM_HORIZON. A shard with parents
// may have started at either position: starting_position if it existed when the pipe first ran,
// child_shard_position if it was born later.
ExpectFrom expect_from(const config::SourceConfig& source,
                       const std::vector<std::string>& parents) {
  using config::StartingPosition;
  bool known = source.starting_position == StartingPosition::trim_horizon &&
               (parents.empty() || source.child_shard_position == StartingPosition::trim_horizon);
  return known ? ExpectFrom::trim_horizon : ExpectFrom::earliest_output;
}

ExpectUntil expect_until(const std::string& checkpoint) {
  if (checkpoint == cs::checkpoint_shard_end) return ExpectUntil::shard_end();
  if (is_sequence_checkpoint(checkpoint)) return ExpectUntil::through(checkpoint);
  return ExpectUntil::nothing();  // empty, or a starting position not yet resolved
}

std::optional<std::string> checkpoint_note(const std::string& checkpoint) {
  if (checkpoint.empty()) return "no checkpoint yet: nothing is expected";
  if (checkpoint == cs::checkpoint_latest) {
    return "checkpoint LATEST: not resolved yet (no worker opened the shard since it was set), so "
           "nothing is expected";
  }
  if (checkpoint == cs::checkpoint_shard_end || is_sequence_checkpoint(checkpoint)) {
    return std::nullopt;
  }
  return fmt::format("checkpoint {}: nothing handled yet, nothing is expected",
                     display_checkpoint(checkpoint));
}

// Streams the shard from its oldest retained record through `check`.
Status read_shard(Source& source, const std::string& shard_id, filter::RecordFilter* filter,
                  ShardCheck& check) {
  auto reader = source.open_shard(shard_id, StartPosition::trim_horizon());
  if (!reader) return fail(reader.error());
  while (check.wants_more()) {
    auto batch = (*reader)->read(read_records, read_bytes);
    if (!batch) return fail(batch.error());
    for (const auto& record : batch->records) {
      check.add(record_identity(shard_id, record.event_id, record.sequence_number), [&] {
        // As the shard consumer decides: undecodable records go to the dead letters unfiltered.
        return filter != nullptr && !record.decode_failed && !filter->matches(record.envelope);
      });
    }
    // An empty batch: caught up with the shard's tip as it is now.
    if (batch->shard_end || batch->records.empty()) break;
  }
  return {};
}

}  // namespace

std::optional<std::string> unverifiable_reason(const config::PipeConfig& pipe) {
  if (pipe.target.type != "file") {
    return fmt::format(
        "verify checks a file target (target.type: file); this pipe's target is '{}', whose "
        "output verify cannot read back",
        pipe.target.type);
  }
  if (pipe.transform) {
    return "verify cannot check a pipe with a transform: the target's lines are the transform's "
           "output, not envelopes carrying sequence numbers";
  }
  if (pipe.enrichment) {
    return "verify cannot check a pipe with an enrichment: the target's lines are what the "
           "enrichment answered, which need not carry the records' sequence numbers";
  }
  if (pipe.dead_letter && pipe.dead_letter->type != "file") {
    return fmt::format(
        "verify reads a file dead-letter destination (dead_letter.type: file); this pipe's is "
        "'{}', so dead-lettered records could not be told from missing ones",
        pipe.dead_letter->type);
  }
  return std::nullopt;
}

Result<VerifyReport> verify_pipe(const config::PipeConfig& pipe, Source& source,
                                 cs::CheckpointStore& store) {
  std::optional<filter::RecordFilter> filter;
  if (!pipe.filter_patterns.empty()) {
    auto compiled = filter::RecordFilter::compile(pipe.filter_patterns);
    if (!compiled) return fail(compiled.error());
    filter = std::move(*compiled);
  }
  auto rows = store.list();
  if (!rows) return fail(rows.error());
  auto listed = source.list_shards();
  if (!listed) return fail(listed.error());
  auto target_ids = target_shards(pipe.target.path);
  if (!target_ids) return fail(target_ids.error());

  VerifyReport report;
  report.pipe = pipe.name;
  report.target_path = pipe.target.path;
  report.parallelization_factor = pipe.source.parallelization_factor;
  std::map<std::string, std::vector<Occurrence>> dead_letters;
  if (pipe.dead_letter) {
    report.dead_letter_path = pipe.dead_letter->path;
    auto scanned = scan_dead_letters(pipe.dead_letter->path, report.problems);
    if (!scanned) return fail(scanned.error());
    dead_letters = std::move(*scanned);
  }

  // The shards the store knows, and any the output names (whose records may not be expected).
  std::map<std::string, const cs::LeaseRow*> rows_by_id;
  std::map<std::string, const ShardDescription*> source_by_id;
  std::set<std::string> ids;
  for (const auto& row : *rows) rows_by_id[row.shard_id] = &row;
  for (const auto& shard : *listed) source_by_id[shard.shard_id] = &shard;
  for (const auto& row : *rows) ids.insert(row.shard_id);
  ids.insert(target_ids->begin(), target_ids->end());
  for (const auto& [id, entries] : dead_letters) ids.insert(id);
  std::set<std::string> target_set(target_ids->begin(), target_ids->end());

  for (const auto& id : ids) {
    // One shard's occurrences at a time: memory follows the largest shard, not the pipe.
    std::vector<Occurrence> found;
    if (auto entries = dead_letters.find(id); entries != dead_letters.end()) {
      found = std::move(entries->second);
    }
    if (target_set.contains(id)) {
      if (auto scanned = scan_target_shard(pipe.target.path / id, found, report.problems);
          !scanned) {
        return fail(scanned.error());
      }
    }
    auto row = rows_by_id.find(id);
    auto shard = source_by_id.find(id);
    std::string checkpoint = row != rows_by_id.end() ? row->second->checkpoint : "";
    std::vector<std::string> parents;
    if (row != rows_by_id.end()) parents = row->second->parent_shard_ids;
    if (parents.empty() && shard != source_by_id.end()) parents = shard->second->parent_shard_ids;

    ShardCheck check(id, expect_from(pipe.source, parents), expect_until(checkpoint),
                     std::move(found));
    if (shard != source_by_id.end()) {
      if (auto read = read_shard(source, id, filter ? &*filter : nullptr, check); !read) {
        return fail(Error{read.error().kind,
                          fmt::format("reading shard {}: {}", id, read.error().message)});
      }
    }
    ShardVerdict verdict{std::move(check).finish(),
                         checkpoint.empty() ? "" : display_checkpoint(checkpoint)};
    if (row == rows_by_id.end()) {
      verdict.report.notes.insert(verdict.report.notes.begin(),
                                  "not in the checkpoint store: nothing is expected");
    } else if (auto note = checkpoint_note(checkpoint)) {
      verdict.report.notes.insert(verdict.report.notes.begin(), *note);
    }
    if (shard == source_by_id.end()) {
      verdict.report.notes.push_back(fmt::format("the source has no shard {}", id));
    }
    report.shards.push_back(std::move(verdict));
  }
  return report;
}

}  // namespace shardpipe::verify
