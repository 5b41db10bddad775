#include "pipeline/batcher.hpp"

#include <algorithm>

namespace shardpipe {

void Batcher::add(Record record, Clock::time_point now) {
  size_t bytes = record.envelope.size() + record.raw_data.size();
  // A record that would push the batch past the byte limit starts the next batch; a record
  // larger than the limit on its own still travels, alone.
  if (!open_.empty() && open_bytes_ + bytes > max_bytes_) close_open();
  if (open_.empty()) {
    open_since_ = now;
    open_.reserve(std::min<size_t>(max_records_, 4096));
  }
  open_bytes_ += bytes;
  open_.push_back(std::move(record));
  if (open_.size() >= max_records_ || open_bytes_ >= max_bytes_) close_open();
}

std::optional<std::vector<Record>> Batcher::pop_ready(Clock::time_point now) {
  if (closed_.empty() && !open_.empty() && now >= open_since_ + window_) close_open();
  if (closed_.empty()) return std::nullopt;
  auto batch = std::move(closed_.front());
  closed_.pop_front();
  return batch;
}

std::optional<std::vector<Record>> Batcher::pop_any() {
  if (closed_.empty() && !open_.empty()) close_open();
  if (closed_.empty()) return std::nullopt;
  auto batch = std::move(closed_.front());
  closed_.pop_front();
  return batch;
}

std::optional<Batcher::Clock::time_point> Batcher::deadline() const {
  if (open_.empty()) return std::nullopt;
  return open_since_ + window_;
}

size_t Batcher::size() const {
  size_t total = open_.size();
  for (const auto& batch : closed_) total += batch.size();
  return total;
}

void Batcher::clear() {
  closed_.clear();
  open_.clear();
  open_bytes_ = 0;
}

void Batcher::close_open() {
  closed_.push_back(std::move(open_));
  open_.clear();
  open_bytes_ = 0;
}

}  // namespace shardpipe
