#include "pipeline/batch_delivery.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>

#include "core/backoff.hpp"

namespace shardpipe {

namespace {

// Moves the elements of `values` whose flag is set into the result, keeping order.
template <typename T>
std::vector<T> take_flagged(std::vector<T>& values, const std::vector<bool>& flags) {
  std::vector<T> taken;
  for (size_t i = 0; i < values.size(); ++i) {
    if (flags[i]) taken.push_back(std::move(values[i]));
  }
  return taken;
}

template <typename T>
std::vector<T> split_off_second_half(std::vector<T>& values) {
  auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::vector<T> second(std::make_move_iterator(middle), std::make_move_iterator(values.end()));
  values.erase(middle, values.end());
  return second;
}

}  // namespace

BatchDelivery::BatchDelivery(RetryPolicy policy, DeadLetterDestination* dead_letters,
                             DeliveryCounters& counters, std::string source_type,
                             std::string shard_id, Hooks hooks)
    : policy_(policy),
      dead_letters_(dead_letters),
      counters_(counters),
      source_type_(std::move(source_type)),
      shard_id_(std::move(shard_id)),
      hooks_(std::move(hooks)) {}

bool BatchDelivery::deliver(ShardSink& sink, std::vector<Record>& batch) {
  std::vector<int> failures(batch.size(), 0);
  if (!sink.buffering()) return deliver_group(sink, std::move(batch), std::move(failures));
  // A buffering sink's records fail only before it takes them (an enrichment in front of it):
  // the retry policy applies to those, through a stage that retries the sink's own errors.
  // maximum_record_age does not: the file target writes what it is given, however old.
  class BufferingStage final : public ShardSink {
   public:
    BufferingStage(BatchDelivery& delivery, ShardSink& sink) : delivery_(delivery), sink_(sink) {}
    DeliveryOutcome deliver(std::span<const Record> records) override {
      return delivery_.buffer(sink_, records);
    }
    DeliveryOutcome flush() override { return {}; }
    size_t pending() const override { return 0; }
    Status close(CloseReason) override { return {}; }

   private:
    BatchDelivery& delivery_;
    ShardSink& sink_;
  } stage(*this, sink);
  stopped_ = false;
  bool done = deliver_group(stage, std::move(batch), std::move(failures), false);
  return done && !stopped_;
}

void BatchDelivery::mark_delivered(const std::vector<uint64_t>& ordinals) {
  hooks_.handled(ordinals);
  counters_.records_delivered += ordinals.size();
}

DeliveryOutcome BatchDelivery::buffer(ShardSink& sink, std::span<const Record> records) {
  // Told to stop: answered as taken, so that the caller goes no further; `stopped_` says why.
  DeliveryOutcome taken;
  taken.accepted = records.size();
  if (stopped_) return taken;
  Backoff backoff(policy_.backoff_initial, policy_.backoff_max);
  std::span<const Record> remaining(records);
  while (true) {
    DeliveryOutcome outcome = sink.deliver(remaining);
    // Marked here, before a checkpoint the sink asks for, which must include them.
    mark_delivered(outcome.delivered);
    if (outcome.checkpoint_now && !hooks_.checkpoint_now()) {
      stopped_ = true;
      return taken;
    }
    remaining = remaining.subspan(std::min(outcome.accepted, remaining.size()));
    if (!outcome.error) return taken;
    if (outcome.error->kind == ErrorClass::fatal || outcome.refused_before_buffering) {
      DeliveryOutcome refused;
      refused.accepted = records.size() - remaining.size();
      refused.error = std::move(outcome.error);
      return refused;
    }
    counters_.count(AttemptOutcome::failure);
    auto wait = backoff.next();
    spdlog::warn("shard {}: delivery failed (attempt {}), retrying in {} ms: {}", shard_id_,
                 backoff.attempts(), wait.count(), outcome.error->message);
    counters_.retries++;
    if (!hooks_.wait(wait)) {
      stopped_ = true;
      return taken;
    }
  }
}

bool BatchDelivery::dead_letter_expired(std::vector<Record>& records, std::vector<int>& failures) {
  if (!policy_.maximum_record_age) return true;
  int64_t now = hooks_.now_ms();
  std::vector<bool> expired(records.size(), false);
  std::vector<const Record*> old;
  std::vector<int> old_attempts;
  for (size_t i = 0; i < records.size(); ++i) {
    if (!policy_.expired(records[i].arrival_ms, now)) continue;
    expired[i] = true;
    old.push_back(&records[i]);
    old_attempts.push_back(failures[i]);
  }
  if (old.empty()) return true;
  Error error = Error::permanent(
      fmt::format("older than maximum_record_age ({} ms)", policy_.maximum_record_age->count()));
  if (!dead_letter(old, DeadLetterCondition::maximum_record_age_exceeded, error, old_attempts)) {
    return false;
  }
  std::vector<bool> keep(expired.size());
  std::transform(expired.begin(), expired.end(), keep.begin(), [](bool e) { return !e; });
  records = take_flagged(records, keep);
  failures = take_flagged(failures, keep);
  return true;
}

bool BatchDelivery::deliver_group(ShardSink& sink, std::vector<Record> records,
                                  std::vector<int> failures, bool expire_by_age) {
  Backoff backoff(policy_.backoff_initial, policy_.backoff_max);
  while (true) {
    if (expire_by_age && !dead_letter_expired(records, failures)) return false;
    if (records.empty()) return true;
    DeliveryOutcome outcome = sink.deliver(records);
    if (!outcome.error && outcome.failed_items.empty() && outcome.accepted >= records.size()) {
      counters_.count(AttemptOutcome::success);  // the common case: nothing more to work out
      mark_delivered(outcome.delivered);
      return true;
    }
    const size_t count = records.size();
    const size_t accepted = std::min(outcome.accepted, count);

    // What failed, and why: the records refused one by one, and everything past `accepted`.
    std::vector<const Error*> failed(count, nullptr);
    for (const auto& item : outcome.failed_items) {
      if (item.index < accepted) failed[item.index] = &item.error;
    }
    if (outcome.error) {
      if (outcome.error->kind == ErrorClass::fatal) {
        hooks_.fatal(*outcome.error);
        return false;
      }
      for (size_t i = accepted; i < count; ++i) failed[i] = &*outcome.error;
    }
    if (std::ranges::none_of(failed, [](const Error* e) { return e != nullptr; })) {
      counters_.count(AttemptOutcome::success);
      mark_delivered(outcome.delivered);
      return true;
    }
    const bool whole_batch_failed = accepted == 0 && outcome.error.has_value();
    counters_.count(whole_batch_failed ? AttemptOutcome::failure : AttemptOutcome::partial_failure);

    // Order per key: a record after a failed record of its key is sent again after it, even if
    // the target took it this time.
    std::vector<bool> again(count, false);
    std::unordered_set<std::string_view> failed_keys;
    for (size_t i = 0; i < count; ++i) {
      if (failed[i]) {
        again[i] = true;
        failed_keys.insert(records[i].partition_key);
      } else if (failed_keys.contains(records[i].partition_key)) {
        again[i] = true;
      }
    }
    std::unordered_set<uint64_t> sent_again;
    for (size_t i = 0; i < count; ++i) {
      if (again[i]) sent_again.insert(records[i].ordinal);
    }
    std::vector<uint64_t> delivered;
    for (uint64_t ordinal : outcome.delivered) {
      if (!sent_again.contains(ordinal)) delivered.push_back(ordinal);
    }
    mark_delivered(delivered);

    if (whole_batch_failed && policy_.bisect_batch_on_error && count > 1) {
      counters_.bisections++;
      spdlog::warn("shard {}: a batch of {} records failed, splitting it in two: {}", shard_id_,
                   count, outcome.error->message);
      auto second = split_off_second_half(records);
      auto second_failures = split_off_second_half(failures);
      return deliver_group(sink, std::move(records), std::move(failures), expire_by_age) &&
             deliver_group(sink, std::move(second), std::move(second_failures), expire_by_age);
    }

    // Count the attempt against each failed record; those out of attempts go to the dead letters.
    std::vector<const Record*> exhausted;
    std::vector<int> exhausted_attempts;
    const Error* exhausted_error = nullptr;
    for (size_t i = 0; i < count; ++i) {
      if (!failed[i]) continue;
      ++failures[i];
      if (policy_.may_retry(failures[i], *failed[i])) continue;
      // Entries are written per error, so records refused for different reasons keep their own.
      if (exhausted_error && exhausted_error->message != failed[i]->message) {
        if (!dead_letter(exhausted, DeadLetterCondition::retry_attempts_exhausted, *exhausted_error,
                         exhausted_attempts)) {
          return false;
        }
        exhausted.clear();
        exhausted_attempts.clear();
      }
      exhausted_error = failed[i];
      exhausted.push_back(&records[i]);
      exhausted_attempts.push_back(failures[i]);
      again[i] = false;
    }
    if (!exhausted.empty() && !dead_letter(exhausted, DeadLetterCondition::retry_attempts_exhausted,
                                           *exhausted_error, exhausted_attempts)) {
      return false;
    }

    size_t retrying = static_cast<size_t>(std::ranges::count(again, true));
    if (retrying == 0) return true;
    const Error& first_error = **std::ranges::find_if(failed, [](const Error* e) { return e; });
    auto wait = backoff.next();
    spdlog::warn("shard {}: {} of {} records not delivered (attempt {}), retrying {} in {} ms: {}",
                 shard_id_, std::ranges::count_if(failed, [](const Error* e) { return e; }), count,
                 backoff.attempts(), retrying, wait.count(), first_error.message);
    records = take_flagged(records, again);
    failures = take_flagged(failures, again);
    counters_.retries++;
    if (!hooks_.wait(wait)) return false;
  }
}

bool BatchDelivery::dead_letter(std::span<const Record* const> records,
                                DeadLetterCondition condition, const Error& error,
                                std::span<const int> attempts) {
  if (records.empty()) return true;
  const std::string condition_name(to_string(condition));
  if (dead_letters_ == nullptr) {
    // Nowhere safe to put it: stop here, so the record is still there for a fixed pipe.
    hooks_.fatal(Error::fatal(fmt::format(
        "record {} of shard {} was not delivered ({}: {}) and there is no dead_letter section to "
        "send it to; the shard stops here so that nothing is lost",
        records.front()->sequence_number, shard_id_, condition_name, error.message)));
    return false;
  }
  std::vector<DeadLetter> letters;
  letters.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    letters.push_back(DeadLetter{condition_name, error.message, error.status_code, attempts[i],
                                 source_type_, shard_id_, records[i]});
  }
  Backoff backoff(policy_.backoff_initial, policy_.backoff_max);
  while (true) {
    auto written = dead_letters_->write(letters);
    if (written) break;
    // Never lose a record on its way to the dead letters: retry, and do not checkpoint past it.
    auto wait = backoff.next();
    spdlog::warn("shard {}: dead letters not written (attempt {}), retrying in {} ms: {}",
                 shard_id_, backoff.attempts(), wait.count(), written.error().message);
    if (!hooks_.wait(wait)) return false;
  }
  for (const Record* record : records) {
    spdlog::info("shard {}: record {} dead-lettered ({}): {}", shard_id_, record->sequence_number,
                 condition_name, error.message);
    hooks_.handled(std::span(&record->ordinal, 1));
  }
  counters_.count(condition, records.size());
  return true;
}

}  // namespace shardpipe
