// Where a shard reader starts: the iterator types of Kinesis and DynamoDB Streams.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

// The shard iterator type Kinesis and DynamoDB Streams call `kind`.
constexpr std::string_view iterator_type_name(StartKind kind) {
  switch (kind) {
    case StartKind::trim_horizon:
      return "TRIM_HORIZON";
    case StartKind::latest:
      return "LATEST";
    case StartKind::at_timestamp:
      return "AT_TIMESTAMP";
    case StartKind::at_sequence_number:
      return "AT_SEQUENCE_NUMBER";
    case StartKind::after_sequence_number:
      return "AFTER_SEQUENCE_NUMBER";
  }
  return "TRIM_HORIZON";
}

// For messages: "after sequence number 42", "at TRIM_HORIZON", ...
inline std::string describe_position(const StartPosition& position) {
  switch (position.kind) {
    case StartKind::after_sequence_number:
      return "after sequence number " + position.sequence_number;
    case StartKind::at_sequence_number:
      return "at sequence number " + position.sequence_number;
    case StartKind::at_timestamp:
      return "at timestamp " + std::to_string(position.timestamp_ms);
    case StartKind::latest:
      return "at LATEST";
    case StartKind::trim_horizon:
      return "at TRIM_HORIZON";
  }
  return "";
}

}  // namespace shardpipe
