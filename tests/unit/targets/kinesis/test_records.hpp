// Records for the kinesis target's tests: an envelope and a partition key each.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/record.hpp"

namespace shardpipe::testing {

inline Record keyed_record(uint64_t ordinal, std::string key, std::string envelope = {}) {
  Record record;
  record.ordinal = ordinal;
  record.sequence_number = std::to_string(ordinal * 100);
  record.event_id = "shardId-000000000000:" + record.sequence_number;
  record.partition_key = std::move(key);
  record.envelope = envelope.empty()
                        ? fmt::format(R"({{"eventID":"{}","partitionKey":"{}","data":"eA=="}})",
                                      record.event_id, record.partition_key)
                        : std::move(envelope);
  return record;
}

// Records with ordinals 1..count, keys "key-<ordinal mod keys>".
inline std::vector<Record> keyed_batch(size_t count, size_t keys) {
  std::vector<Record> batch;
  for (uint64_t ordinal = 1; ordinal <= count; ++ordinal) {
    batch.push_back(keyed_record(ordinal, fmt::format("key-{}", ordinal % keys)));
  }
  return batch;
}

}  // namespace shardpipe::testing
