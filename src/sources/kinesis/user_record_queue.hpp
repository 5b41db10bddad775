// The Kinesis records a shard reader has fetched, handed out as the records the pipeline sees.
// A KPL aggregate becomes its user records, in order: eventID "<shard>:<seq>:<sub>", envelope
// sequenceNumber <seq> and subSequenceNumber <sub>, and as checkpoint value "<seq>:<sub>" (every
// sub-record up to <sub> handled), except the aggregate's last, whose checkpoint is the plain
// "<seq>" (the whole Kinesis record handled). Records are handed out a few at a time, so that
// aggregates of thousands of user records do not overrun the pipe's in-flight caps.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "core/record.hpp"
#include "sources/kinesis/kinesis_api.hpp"
#include "sources/kinesis/kpl_aggregate.hpp"
#include "sources/stream_envelope.hpp"

namespace shardpipe::kinesis {

class UserRecordQueue {
 public:
  UserRecordQueue(std::string shard_id, StreamEnvelopeWriter writer);

  // Resuming from the checkpoint "<sequence>:<handled_through>": the reader starts AT that
  // aggregate, whose sub-records 0..handled_through are dropped here. Applies to the first record
  // handed out only.
  void resume_inside(std::string sequence_number, uint64_t handled_through);

  void push(std::vector<KinesisRecord> records);
  bool empty() const { return records_.empty(); }

  // Appends up to `max_records` records to `out`, stopping early once `max_bytes` of envelopes
  // are reached (at least one record when any is left).
  void take(size_t max_records, size_t max_bytes, std::vector<Record>& out);

 private:
  struct Resume {
    std::string sequence_number;
    uint64_t handled_through = 0;
  };

  void open_front();  // deaggregates records_.front() and applies a pending resume
  void pop_front();

  std::string shard_id_;
  StreamEnvelopeWriter writer_;
  std::deque<KinesisRecord> records_;
  std::optional<Resume> resume_;
  // Of records_.front(), once opened: its user records when it is an aggregate (views into its
  // data, which stays in place in the deque), and the next one to hand out.
  bool front_open_ = false;
  std::optional<std::vector<KplUserRecord>> users_;
  size_t next_user_ = 0;
};

}  // namespace shardpipe::kinesis
