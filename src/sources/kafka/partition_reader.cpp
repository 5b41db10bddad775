#include "sources/kafka/partition_reader.hpp"

#include <chrono>

#include "core/clock.hpp"

namespace shardpipe::kafka {

using namespace std::chrono_literals;

Result<ReadBatch> PartitionReader::read(size_t max_records, size_t max_bytes) {
  // An empty answer means "caught up" to the engine, so while the broker says there is more
  // (a fetch is on its way) the reader waits a little longer before giving one.
  auto deadline = std::chrono::steady_clock::now() + 1s;
  std::vector<ConsumedMessage> messages;
  while (true) {
    if (queue_->closed()) {
      return fail(Error::retriable(partition_.shard_id() + " was revoked from this worker"));
    }
    messages = queue_->pop(max_records, max_bytes, 100ms);
    if (!messages.empty() || std::chrono::steady_clock::now() >= deadline) break;
    auto high = member_->cached_high_watermark(partition_);
    if (!high || *high <= queue_->next_offset()) break;
  }
  ReadBatch batch;
  batch.records.reserve(messages.size());
  int64_t last_timestamp_ms = -1;
  for (const auto& message : messages) {
    auto view = view_of(message);
    last_timestamp_ms = view.timestamp_ms;
    batch.records.push_back(writer_.render(view));
  }
  messages.clear();  // their memory goes back to librdkafka at once
  if (last_timestamp_ms >= 0) {
    batch.millis_behind = std::max<int64_t>(0, unix_now_ms() - last_timestamp_ms);
  } else if (batch.records.empty()) {
    batch.millis_behind = 0;
  }
  return batch;
}

}  // namespace shardpipe::kafka
