#include "sources/kinesis/user_record_queue.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace shardpipe::kinesis {

UserRecordQueue::UserRecordQueue(std::string shard_id, StreamEnvelopeWriter writer)
    : shard_id_(std::move(shard_id)), writer_(std::move(writer)) {}

void UserRecordQueue::resume_inside(std::string sequence_number, uint64_t handled_through) {
  resume_ = Resume{std::move(sequence_number), handled_through};
}

void UserRecordQueue::push(std::vector<KinesisRecord> records) {
  for (auto& record : records) records_.push_back(std::move(record));
}

void UserRecordQueue::open_front() {
  const KinesisRecord& front = records_.front();
  users_ = deaggregate_kpl(front.data);
  next_user_ = 0;
  front_open_ = true;
  if (!resume_) return;
  if (front.sequence_number != resume_->sequence_number) {
    // The checkpointed record is gone (trimmed): reading starts at the oldest one left.
    spdlog::warn("shard {}: record {} of the checkpoint {}:{} is no longer in the shard", shard_id_,
                 resume_->sequence_number, resume_->sequence_number, resume_->handled_through);
  } else if (!users_) {
    // Only an aggregate can be checkpointed inside: deliver all of it rather than guess.
    spdlog::warn(
        "shard {}: the checkpoint {}:{} points inside record {}, which is not a KPL aggregate; it "
        "is delivered whole",
        shard_id_, resume_->sequence_number, resume_->handled_through, resume_->sequence_number);
  } else {
    next_user_ =
        static_cast<size_t>(std::min<uint64_t>(resume_->handled_through + 1, users_->size()));
  }
  resume_.reset();
}

void UserRecordQueue::pop_front() {
  records_.pop_front();
  front_open_ = false;
  users_.reset();
  next_user_ = 0;
}

void UserRecordQueue::take(size_t max_records, size_t max_bytes, std::vector<Record>& out) {
  size_t taken = 0;
  size_t bytes = 0;
  auto room = [&] { return taken < max_records && (taken == 0 || bytes < max_bytes); };
  while (!records_.empty() && room()) {
    if (!front_open_) open_front();
    KinesisRecord& front = records_.front();
    if (!users_) {
      out.push_back(writer_.render({.partition_key = front.partition_key,
                                    .sequence_number = std::move(front.sequence_number),
                                    .arrival_us = front.arrival_us,
                                    .data = front.data}));
      ++taken;
      bytes += out.back().envelope.size() + out.back().raw_data.size();
      pop_front();
      continue;
    }
    const auto& users = *users_;
    for (; next_user_ < users.size() && room(); ++next_user_) {
      auto sub = std::to_string(next_user_);
      out.push_back(writer_.render({.partition_key = users[next_user_].partition_key,
                                    .sequence_number = front.sequence_number,
                                    .arrival_us = front.arrival_us,
                                    .data = users[next_user_].data,
                                    .event_id_suffix = ":" + sub,
                                    .sub_sequence_number = next_user_}));
      Record& record = out.back();
      // Not the last: the checkpoint must say how far into the aggregate it is.
      if (next_user_ + 1 < users.size()) record.sequence_number.append(1, ':').append(sub);
      ++taken;
      bytes += record.envelope.size() + record.raw_data.size();
    }
    // An aggregate of no user records (the KCL delivers nothing of it either) is dropped here.
    if (next_user_ >= users.size()) pop_front();
  }
}

}  // namespace shardpipe::kinesis
