// A record on its way through the pipeline, source-independent.
#pragma once

#include <cstdint>
#include <string>

namespace shardpipe {

struct Record {
  uint64_t ordinal = 0;         // position within the shard's read order, assigned by the consumer
  std::string sequence_number;  // the source's position: the checkpoint value once handled
  std::string partition_key;    // ordering key: order is kept per key
  std::string event_id;         // stable and unique: idempotency key and itemIdentifier
  int64_t arrival_ms = 0;       // when the source stored it (for maximum_record_age and lag)
  std::string envelope;         // the record as the target receives it: one JSON object
  // Set when the data could not be decoded as data_encoding asks; envelope is then empty.
  bool decode_failed = false;
  std::string decode_error;
  std::string raw_data;  // the undecoded bytes, for the dead letters
  // Not a record but a gap, when not empty: what records the service removed (past its retention)
  // before they could be read. Reported as a DataLost dead letter, never skipped silently;
  // sequence_number is the position before the gap, raw_data describes it as JSON.
  std::string data_lost;
};

}  // namespace shardpipe
