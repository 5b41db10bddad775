// How a batch is cut into PutRecords requests within Kinesis's limits: at most 500 records and
// 5 MiB (data plus partition keys) per request. Requests cover consecutive ranges of the batch,
// so that when one fails, the records before it are a prefix the engine can count as taken.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace shardpipe::kinesis_target {

constexpr size_t max_records_per_request = 500;
constexpr size_t max_request_bytes = 5 * 1024 * 1024;
// The most data one record may carry (before base64); a larger record is refused without
// being sent.
constexpr size_t max_record_data_bytes = 1024 * 1024;

struct PlannedRequest {
  size_t begin = 0;  // the range of the batch it covers: [begin, end)
  size_t end = 0;
  std::vector<size_t> entries;  // the indices within the range that are sent (maybe none)
  size_t bytes = 0;             // data plus partition keys of the entries
};

// `record_bytes[i]`: the data plus partition key size of record i, or nullopt for a record that
// is not sent (refused before). The ranges cover the whole batch in order; a range may hold only
// records not sent, and then needs no request.
std::vector<PlannedRequest> split_requests(std::span<const std::optional<size_t>> record_bytes);

}  // namespace shardpipe::kinesis_target
