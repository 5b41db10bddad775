// The heart of `shardpipe verify`, free of files and sources: one shard's records, streamed in
// order, against every place their sequence numbers were found in the output.
//
//   ShardCheck check(shard_id, ExpectFrom::trim_horizon, ExpectUntil::shard_end(), found);
//   for (each record of the shard, oldest first) check.add(sequence, [&] { return dropped; });
//   ShardReport report = std::move(check).finish();
//
// Memory is the found occurrences (sequence numbers only) plus capped listings: the records
// themselves are never kept, so a shard of millions of records streams through.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace shardpipe::verify {

enum class FoundIn : uint8_t { target, dead_letter };

// One line of the output that names a record of the shard.
struct Occurrence {
  std::string sequence_number;
  FoundIn where = FoundIn::target;
};

// Where the records the pipe had to handle begin.
enum class ExpectFrom : uint8_t {
  trim_horizon,     // the oldest retained record (starting position TRIM_HORIZON)
  earliest_output,  // the first record at or after the lowest sequence number in the output
};

// Where they end: the shard's checkpoint.
struct ExpectUntil {
  enum class Kind : uint8_t { nothing, sequence, shard_end };
  Kind kind = Kind::nothing;
  std::string sequence_number;  // inclusive, for Kind::sequence

  static ExpectUntil nothing() { return {}; }
  static ExpectUntil through(std::string sequence) { return {Kind::sequence, std::move(sequence)}; }
  static ExpectUntil shard_end() { return {Kind::shard_end, {}}; }
};

// Listings in a report are capped; counts are not.
inline constexpr size_t max_listed_sequences = 20;
inline constexpr size_t max_listed_gaps = 100;

// Consecutive missing records (filtered records in between do not break a gap; found ones do).
struct Gap {
  std::string first;
  std::string last;
  uint64_t records = 0;
};

struct CappedSequences {
  uint64_t count = 0;
  std::vector<std::string> first;  // the lowest max_listed_sequences, in order
};

struct ShardReport {
  std::string shard_id;
  // Records in the expected range: expected == in_target + dead_lettered + filtered + missing.
  uint64_t expected = 0;
  uint64_t in_target = 0;           // found in the target (perhaps also in the dead letters)
  uint64_t dead_lettered = 0;       // found in the dead letters only
  uint64_t filtered = 0;            // found nowhere, and the filter drops them
  uint64_t missing = 0;             // found nowhere, and the filter lets them pass
  uint64_t beyond_checkpoint = 0;   // past the checkpoint yet in the output: not checkpointed yet
  uint64_t below_trim_horizon = 0;  // older than the oldest retained record: trimmed since
  uint64_t gap_count = 0;
  std::vector<Gap> gaps;  // the first max_listed_gaps
  // Sequence numbers in the target more than once, or in the target and the dead letters.
  CappedSequences duplicates;
  // Sequence numbers with several dead-letter entries and none in the target: allowed, since
  // entries are written at least once (a crash may repeat one).
  CappedSequences repeated_dead_letters;
  CappedSequences unexpected;      // found in the output, no such record in the shard
                                   // (counted once per sequence number)
  std::string first_expected;      // the first record of the expected range ("" when none)
  std::vector<std::string> notes;  // what a reader should know about how this shard was judged
};

class ShardCheck {
 public:
  ShardCheck(std::string shard_id, ExpectFrom from, ExpectUntil until,
             std::vector<Occurrence> found);

  // The next record of the shard (sequence numbers increase). `filtered_out` is asked only when
  // the record is expected and was found nowhere: it says whether the pipe's filter drops it.
  void add(std::string_view sequence, const std::function<bool()>& filtered_out);

  // False once further records cannot change the report (past the checkpoint and past every
  // occurrence), so a reader may stop early.
  bool wants_more() const;

  ShardReport finish() &&;

 private:
  bool in_range(std::string_view sequence) const;
  size_t same_sequence_end(size_t i) const;  // past the occurrences equal to found_[i]
  void close_gap();
  static void note_sequence(CappedSequences& list, const std::string& sequence);

  ExpectFrom from_;
  ExpectUntil until_;
  std::vector<Occurrence> found_;  // sorted by sequence number
  size_t cursor_ = 0;              // the first occurrence not yet matched against a record
  bool seen_record_ = false;
  bool past_until_ = false;
  bool gap_open_ = false;
  Gap gap_;
  ShardReport report_;
};

}  // namespace shardpipe::verify
