#include "verify/shard_check.hpp"

#include <algorithm>
#include <cstddef>

#include "verify/sequence_order.hpp"

namespace shardpipe::verify {

ShardCheck::ShardCheck(std::string shard_id, ExpectFrom from, ExpectUntil until,
                       std::vector<Occurrence> found)
    : from_(from), until_(std::move(until)), found_(std::move(found)) {
  report_.shard_id = std::move(shard_id);
  // Sorted once, the occurrences are matched against the records in a single merge pass.
  std::ranges::stable_sort(found_, [](const Occurrence& a, const Occurrence& b) {
    return sequence_less(a.sequence_number, b.sequence_number);
  });
  for (size_t i = 0; i < found_.size();) {
    size_t end = same_sequence_end(i);
    if (end - i > 1) {
      bool in_target = std::any_of(found_.begin() + static_cast<std::ptrdiff_t>(i),
                                   found_.begin() + static_cast<std::ptrdiff_t>(end),
                                   [](const Occurrence& o) { return o.where == FoundIn::target; });
      note_sequence(in_target ? report_.duplicates : report_.repeated_dead_letters,
                    found_[i].sequence_number);
    }
    i = end;
  }
  if (from_ == ExpectFrom::earliest_output && until_.kind != ExpectUntil::Kind::nothing) {
    report_.notes.push_back(
        found_.empty() ? "the starting position is not TRIM_HORIZON and nothing of this shard is "
                         "in the output: where the pipe started is unknown, so nothing is expected"
                       : "the starting position is not TRIM_HORIZON: records are expected from "
                         "the earliest one found in the output");
  }
}

size_t ShardCheck::same_sequence_end(size_t i) const {
  size_t end = i + 1;
  while (end < found_.size() &&
         compare_sequences(found_[end].sequence_number, found_[i].sequence_number) == 0) {
    ++end;
  }
  return end;
}

bool ShardCheck::in_range(std::string_view sequence) const {
  switch (until_.kind) {
    case ExpectUntil::Kind::nothing:
      return false;
    case ExpectUntil::Kind::sequence:
      if (compare_sequences(sequence, until_.sequence_number) > 0) return false;
      break;
    case ExpectUntil::Kind::shard_end:
      break;
  }
  if (from_ == ExpectFrom::earliest_output) {
    return !found_.empty() && compare_sequences(sequence, found_.front().sequence_number) >= 0;
  }
  return true;
}

void ShardCheck::add(std::string_view sequence, const std::function<bool()>& filtered_out) {
  // Occurrences below this record match no record: trimmed away, or never in the source.
  while (cursor_ < found_.size() && sequence_less(found_[cursor_].sequence_number, sequence)) {
    size_t end = same_sequence_end(cursor_);
    if (seen_record_) {
      note_sequence(report_.unexpected, found_[cursor_].sequence_number);
    } else {
      ++report_.below_trim_horizon;
    }
    cursor_ = end;
  }
  bool in_target = false;
  bool in_dead_letters = false;
  while (cursor_ < found_.size() && compare_sequences(found_[cursor_].sequence_number, sequence) ==
                                        std::strong_ordering::equal) {
    (found_[cursor_].where == FoundIn::target ? in_target : in_dead_letters) = true;
    ++cursor_;
  }
  seen_record_ = true;
  if (until_.kind == ExpectUntil::Kind::sequence &&
      compare_sequences(sequence, until_.sequence_number) > 0) {
    past_until_ = true;
  }
  bool found = in_target || in_dead_letters;
  if (!in_range(sequence)) {
    if (found) ++report_.beyond_checkpoint;
    close_gap();
    return;
  }
  ++report_.expected;
  if (report_.first_expected.empty()) report_.first_expected = std::string(sequence);
  if (found) {
    ++(in_target ? report_.in_target : report_.dead_lettered);
    close_gap();
  } else if (filtered_out()) {
    ++report_.filtered;  // expected nowhere; does not break a gap around it
  } else {
    ++report_.missing;
    if (!gap_open_) {
      gap_open_ = true;
      gap_ = Gap{std::string(sequence), std::string(sequence), 0};
    }
    gap_.last = std::string(sequence);
    ++gap_.records;
  }
}

bool ShardCheck::wants_more() const {
  if (until_.kind == ExpectUntil::Kind::shard_end || cursor_ < found_.size()) return true;
  return until_.kind == ExpectUntil::Kind::sequence && !past_until_;
}

void ShardCheck::close_gap() {
  if (!gap_open_) return;
  gap_open_ = false;
  ++report_.gap_count;
  if (report_.gaps.size() < max_listed_gaps) report_.gaps.push_back(std::move(gap_));
}

void ShardCheck::note_sequence(CappedSequences& list, const std::string& sequence) {
  ++list.count;
  if (list.first.size() < max_listed_sequences) list.first.push_back(sequence);
}

ShardReport ShardCheck::finish() && {
  close_gap();
  // Past the last record: nothing in the source holds these.
  while (cursor_ < found_.size()) {
    note_sequence(report_.unexpected, found_[cursor_].sequence_number);
    cursor_ = same_sequence_end(cursor_);
  }
  return std::move(report_);
}

}  // namespace shardpipe::verify
