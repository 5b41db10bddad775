// Leases and checkpoints of a running Kafka pipe, kept by the consumer group itself: a lease is
// a partition the group assigned to this member (its counter changes with every assignment, so
// a consumer from before a revocation can never checkpoint), and a checkpoint is the offset
// stored for the next commit. Partitions are never taken or released here: the group moves them.
#pragma once

#include <memory>
#include <string>

#include "coordination/checkpoint_store.hpp"
#include "sources/kafka/group_member.hpp"

namespace shardpipe::kafka {

class GroupCheckpoints final : public coordination::CheckpointStore {
 public:
  GroupCheckpoints(std::shared_ptr<GroupMember> member, std::string worker_id)
      : member_(std::move(member)), worker_id_(std::move(worker_id)) {}

  Status ensure_shard(const std::string&, const std::vector<std::string>&) override { return {}; }
  Result<std::vector<coordination::LeaseRow>> list() override;
  Result<std::optional<coordination::LeaseRow>> get(const std::string& shard_id) override;
  Result<std::optional<coordination::Lease>> try_take(const std::string& shard_id,
                                                      const std::string& owner,
                                                      std::chrono::milliseconds) override;
  Result<bool> renew(const coordination::Lease& lease, std::chrono::milliseconds) override;
  Result<bool> checkpoint(const coordination::Lease& lease, const std::string& value) override;
  Status release(const coordination::Lease&) override { return {}; }
  // Where a partition never committed starts is the member's to resolve (starting_position).
  Result<coordination::SetOutcome> set_checkpoint(const std::string&, const std::string&) override {
    return coordination::SetOutcome::applied;
  }
  Result<std::optional<std::string>> adopt_reset(const coordination::Lease&) override {
    return std::optional<std::string>();
  }
  Status probe(std::chrono::milliseconds) override;

 private:
  coordination::LeaseRow row_of(const TopicPartition& partition,
                                const Assignment& assignment) const;

  std::shared_ptr<GroupMember> member_;
  std::string worker_id_;
};

}  // namespace shardpipe::kafka
