#include "pipeline/dead_letter_replay.hpp"

#include <fmt/format.h>

#include <map>
#include <set>
#include <thread>

#include "core/backoff.hpp"
#include "targets/dead_letter/dead_letter_file.hpp"
#include "targets/dead_letter/stored_dead_letters.hpp"

namespace shardpipe {
namespace {

Record to_record(const StoredDeadLetter& entry, uint64_t ordinal) {
  Record record;
  record.ordinal = ordinal;
  record.sequence_number = entry.sequence_number;
  record.partition_key = entry.partition_key;
  record.event_id = entry.event_id;
  record.envelope = *entry.envelope;
  return record;
}

// Delivers `records` to `sink` with a few attempts; returns the ordinals delivered and, for
// those that were not, the last error.
struct BatchResult {
  std::set<uint64_t> delivered;
  std::map<uint64_t, std::string> failed;
};

BatchResult deliver_batch(ShardSink& sink, std::vector<Record> records,
                          const ReplayOptions& options) {
  BatchResult result;
  Backoff backoff(options.retry.backoff_initial, options.retry.backoff_max);
  for (int attempt = 1; !records.empty(); ++attempt) {
    DeliveryOutcome outcome = sink.deliver(records);
    result.delivered.insert(outcome.delivered.begin(), outcome.delivered.end());
    std::set<size_t> failed;
    for (const auto& item : outcome.failed_items) {
      failed.insert(item.index);
      result.failed[records[item.index].ordinal] = item.error.message;
    }
    size_t accepted = std::min(outcome.accepted, records.size());
    for (size_t i = accepted; i < records.size(); ++i) {
      failed.insert(i);
      result.failed[records[i].ordinal] = outcome.error ? outcome.error->message : "not taken";
    }
    std::vector<Record> again;
    for (size_t i : failed) again.push_back(std::move(records[i]));
    records = std::move(again);
    bool retriable = !outcome.error || outcome.error->is_retriable();
    if (records.empty() || attempt >= options.attempts || !retriable) break;
    std::this_thread::sleep_for(backoff.next());
  }
  for (const auto& record : records) result.delivered.erase(record.ordinal);
  return result;
}

}  // namespace

Result<ReplayResult> replay_dead_letters(const std::filesystem::path& folder, Target& target,
                                         const ReplayOptions& options) {
  auto stored = read_stored_dead_letters(folder);
  if (!stored) return fail(stored.error());
  ReplayResult result;
  result.problems = stored->problems;

  // Select, and group by shard in stored order.
  std::set<std::string> wanted(options.event_ids.begin(), options.event_ids.end());
  std::set<std::string> found;
  std::map<std::string, std::vector<const StoredDeadLetter*>> by_shard;
  for (const auto& entry : stored->entries) {
    if (!wanted.empty() && !wanted.contains(entry.event_id)) continue;
    found.insert(entry.event_id);
    if (!entry.envelope) {
      ++result.kept;
      result.problems.push_back(fmt::format(
          "{}: kept: there is no record to send (its data could not be decoded, or the entry "
          "reports records lost before they were read); what is known is in rawData",
          entry.event_id));
      continue;
    }
    by_shard[entry.shard_id].push_back(&entry);
  }
  for (const auto& id : wanted) {
    if (!found.contains(id)) result.problems.push_back(fmt::format("{}: no such dead letter", id));
  }

  size_t to_send = 0;
  size_t sent = 0;
  for (const auto& [shard_id, entries] : by_shard) to_send += entries.size();
  if (options.on_progress) options.on_progress(sent, to_send);

  std::map<std::filesystem::path, std::set<std::string>> delivered_lines;
  for (const auto& [shard_id, entries] : by_shard) {
    auto sink = target.open_shard(shard_id);
    if (!sink) return fail(sink.error());
    BatchResult shard_result;
    for (size_t start = 0; start < entries.size(); start += options.batch_size) {
      std::vector<Record> batch;
      for (size_t i = start; i < std::min(entries.size(), start + options.batch_size); ++i) {
        Record record = to_record(*entries[i], i);
        if (options.transform) {
          auto transformed = options.transform->apply(record.envelope);
          if (!transformed) {
            shard_result.failed[i] = "transform: " + transformed.error().message;
            continue;
          }
          record.envelope = std::move(*transformed);
        }
        batch.push_back(std::move(record));
      }
      BatchResult batch_result = deliver_batch(**sink, std::move(batch), options);
      shard_result.delivered.merge(batch_result.delivered);
      shard_result.failed.merge(batch_result.failed);
      sent += std::min(entries.size(), start + options.batch_size) - start;
      if (options.on_progress) options.on_progress(sent, to_send);
    }
    // A buffering target delivers at its flush.
    DeliveryOutcome flushed = (*sink)->flush();
    shard_result.delivered.insert(flushed.delivered.begin(), flushed.delivered.end());
    if (flushed.error) {
      result.problems.push_back(fmt::format("{}: {}", shard_id, flushed.error->message));
    }
    (void)(*sink)->close(CloseReason::shutdown);
    for (size_t i = 0; i < entries.size(); ++i) {
      if (shard_result.delivered.contains(i)) {
        delivered_lines[entries[i]->file].insert(entries[i]->line);
        ++result.delivered;
      } else {
        ++result.kept;
        auto why = shard_result.failed.find(i);
        result.problems.push_back(
            fmt::format("{}: kept: {}", entries[i]->event_id,
                        why != shard_result.failed.end() ? why->second : "not delivered"));
      }
    }
  }
  for (const auto& [file, lines] : delivered_lines) {
    if (auto removed = remove_dead_letter_lines(file, lines); !removed) {
      return fail(Error::retriable(fmt::format(
          "the records were delivered, but removing their entries failed ({}); a later replay "
          "delivers them again",
          removed.error().message)));
    }
  }
  return result;
}

}  // namespace shardpipe
