#include "targets/kinesis/request_split.hpp"

namespace shardpipe::kinesis_target {

std::vector<PlannedRequest> split_requests(std::span<const std::optional<size_t>> record_bytes) {
  std::vector<PlannedRequest> requests;
  PlannedRequest current;
  for (size_t i = 0; i < record_bytes.size(); ++i) {
    if (const auto& bytes = record_bytes[i]) {
      const bool full = current.entries.size() == max_records_per_request ||
                        current.bytes + *bytes > max_request_bytes;
      if (full && !current.entries.empty()) {
        current.end = i;
        const size_t next_begin = i;
        requests.push_back(std::move(current));
        current = PlannedRequest{.begin = next_begin};
      }
      current.entries.push_back(i);
      current.bytes += *bytes;
    }
  }
  current.end = record_bytes.size();
  if (current.end > current.begin) requests.push_back(std::move(current));
  return requests;
}

}  // namespace shardpipe::kinesis_target
