// Small batches of local-log records for the http target's tests.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/record.hpp"

namespace shardpipe::testing {

// Records with ordinals first.., sequence numbers 100*ordinal and eventIDs
// "shardId-000000000000:<sequence>".
inline std::vector<Record> test_batch(size_t count, uint64_t first = 1) {
  std::vector<Record> batch;
  for (uint64_t ordinal = first; ordinal < first + count; ++ordinal) {
    Record record;
    record.ordinal = ordinal;
    record.sequence_number = std::to_string(ordinal * 100);
    record.event_id = "shardId-000000000000:" + record.sequence_number;
    record.partition_key = fmt::format("key-{}", ordinal);
    record.envelope = fmt::format(R"({{"eventID":"{}","sequenceNumber":"{}","data":"eA=="}})",
                                  record.event_id, record.sequence_number);
    batch.push_back(std::move(record));
  }
  return batch;
}

}  // namespace shardpipe::testing
