#include "sources/kafka/group_checkpoints.hpp"

#include <chrono>

#include "core/clock.hpp"
#include "core/sequence_number.hpp"

namespace shardpipe::kafka {

namespace cs = coordination;

cs::LeaseRow GroupCheckpoints::row_of(const TopicPartition& partition,
                                      const Assignment& assignment) const {
  cs::LeaseRow row;
  row.shard_id = partition.shard_id();
  row.owner = worker_id_;
  row.counter = assignment.epoch;
  // Held until the group revokes it, however long that is.
  row.expires_ms = unix_now_ms() + 24 * 3600 * 1000;
  row.checkpoint = assignment.checkpoint;
  row.updated_ms = unix_now_ms();
  return row;
}

Result<std::vector<cs::LeaseRow>> GroupCheckpoints::list() {
  std::vector<cs::LeaseRow> rows;
  for (const auto& partition : member_->assigned()) {
    if (auto assignment = member_->assignment(partition)) {
      rows.push_back(row_of(partition, *assignment));
    }
  }
  return rows;
}

Result<std::optional<cs::LeaseRow>> GroupCheckpoints::get(const std::string& shard_id) {
  auto partition = TopicPartition::parse(shard_id);
  if (!partition) return std::optional<cs::LeaseRow>();
  if (auto assignment = member_->assignment(*partition)) {
    return std::optional<cs::LeaseRow>(row_of(*partition, *assignment));
  }
  // Revoked meanwhile: a row nobody holds, so its consumer stops instead of failing.
  cs::LeaseRow row;
  row.shard_id = shard_id;
  return std::optional<cs::LeaseRow>(row);
}

Result<std::optional<cs::Lease>> GroupCheckpoints::try_take(const std::string& shard_id,
                                                            const std::string& owner,
                                                            std::chrono::milliseconds) {
  auto partition = TopicPartition::parse(shard_id);
  if (!partition) return std::optional<cs::Lease>();
  auto assignment = member_->assignment(*partition);
  if (!assignment) return std::optional<cs::Lease>();
  return std::optional<cs::Lease>(cs::Lease{shard_id, owner, assignment->epoch});
}

Result<bool> GroupCheckpoints::renew(const cs::Lease& lease, std::chrono::milliseconds) {
  auto partition = TopicPartition::parse(lease.shard_id);
  if (!partition) return false;
  auto assignment = member_->assignment(*partition);
  return assignment && assignment->epoch == lease.counter;
}

Result<bool> GroupCheckpoints::checkpoint(const cs::Lease& lease, const std::string& value) {
  auto partition = TopicPartition::parse(lease.shard_id);
  if (!partition) return false;
  if (!is_sequence_number(value)) {
    // TRIM_HORIZON and the like: nothing handled yet, nothing to store.
    return renew(lease, {});
  }
  return member_->store_offset(*partition, lease.counter, std::stoll(value));
}

Status GroupCheckpoints::probe(std::chrono::milliseconds) {
  if (auto error = member_->fatal_error()) return fail(*error);
  return {};
}

}  // namespace shardpipe::kafka
