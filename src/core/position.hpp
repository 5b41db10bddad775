// Where a shard reader starts: the iterator types of Kinesis and DynamoDB Streams.
#pragma once

#include <cstdint>
#include <string>

namespace shardpipe {

enum class StartKind {
  trim_horizon,           // the oldest record still stored
  latest,                 // just after the newest record at the moment the reader opens
  at_timestamp,           // the first record that arrived at or after `timestamp_ms`
  at_sequence_number,     // the record with `sequence_number`
  after_sequence_number,  // the record after `sequence_number` (resume from a checkpoint)
};

struct StartPosition {
  StartKind kind = StartKind::trim_horizon;
  std::string sequence_number;  // decimal string, for the two *_sequence_number kinds
  int64_t timestamp_ms = 0;     // Unix milliseconds, for at_timestamp

  static StartPosition trim_horizon() { return {StartKind::trim_horizon, {}, 0}; }
  static StartPosition latest() { return {StartKind::latest, {}, 0}; }
  static StartPosition at_timestamp(int64_t ms) { return {StartKind::at_timestamp, {}, ms}; }
  static StartPosition at(std::string seq) {
    return {StartKind::at_sequence_number, std::move(seq), 0};
  }
  static StartPosition after(std::string seq) {
    return {StartKind::after_sequence_number, std::move(seq), 0};
  }
};

}  // namespace shardpipe
