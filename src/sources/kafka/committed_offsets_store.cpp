#include "sources/kafka/committed_offsets_store.hpp"

#include <fmt/format.h>

#include "core/clock.hpp"
#include "core/sequence_number.hpp"

namespace shardpipe::kafka {
namespace {

namespace cs = coordination;

class CommittedOffsetsStore final : public cs::CheckpointStore {
 public:
  explicit CommittedOffsetsStore(std::unique_ptr<ClusterClient> client)
      : client_(std::move(client)) {}

  Status ensure_shard(const std::string&, const std::vector<std::string>&) override { return {}; }

  Result<std::vector<cs::LeaseRow>> list() override {
    auto partitions = client_->partitions();
    if (!partitions) return fail(partitions.error());
    auto committed = client_->committed(*partitions);
    if (!committed) return fail(committed.error());
    // Owners are a nicety: a group that cannot be described still has its offsets shown.
    auto members = client_->members();
    std::vector<cs::LeaseRow> rows;
    for (const auto& partition : *partitions) {
      cs::LeaseRow row;
      row.shard_id = partition.shard_id();
      if (auto offset = (*committed)[partition]; offset > 0) {
        row.checkpoint = std::to_string(offset - 1);
      } else if (offset == 0) {
        row.checkpoint = std::string(cs::checkpoint_trim_horizon);
      }
      if (members) {
        if (auto owner = members->owner_of.find(partition); owner != members->owner_of.end()) {
          row.owner = owner->second;
          row.expires_ms = unix_now_ms() + 60'000;
        }
      }
      row.updated_ms = unix_now_ms();
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<std::optional<cs::LeaseRow>> get(const std::string& shard_id) override {
    auto rows = list();
    if (!rows) return fail(rows.error());
    for (auto& row : *rows) {
      if (row.shard_id == shard_id) return std::optional<cs::LeaseRow>(std::move(row));
    }
    return std::optional<cs::LeaseRow>();
  }

  Result<std::optional<cs::Lease>> try_take(const std::string&, const std::string&,
                                            std::chrono::milliseconds) override {
    return fail(not_here());
  }
  Result<bool> renew(const cs::Lease&, std::chrono::milliseconds) override {
    return fail(not_here());
  }
  Result<bool> checkpoint(const cs::Lease&, const std::string&) override {
    return fail(not_here());
  }
  Status release(const cs::Lease&) override { return fail(not_here()); }
  Result<std::optional<std::string>> adopt_reset(const cs::Lease&) override {
    return std::optional<std::string>();
  }

  Result<cs::SetOutcome> set_checkpoint(const std::string& shard_id,
                                        const std::string& value) override {
    auto partition = TopicPartition::parse(shard_id);
    if (!partition) return fail(Error::permanent("not a Kafka topic-partition: " + shard_id));
    // Where the cluster cannot describe groups, Kafka itself refuses a commit from outside an
    // active group.
    auto members = client_->members();
    if (members && members->count > 0) {
      return fail(Error::permanent(fmt::format(
          "consumer group {} has {} active member(s): Kafka moves a group's offsets only while "
          "none of its consumers runs; stop the pipe's workers, then set the checkpoint",
          client_->group(), members->count)));
    }
    auto offset = next_offset(*partition, value);
    if (!offset) return fail(offset.error());
    if (auto committed = client_->commit({{*partition, *offset}}); !committed) {
      return fail(committed.error());
    }
    return cs::SetOutcome::applied;
  }

 private:
  static Error not_here() {
    return Error::fatal("a Kafka pipe's leases are the consumer group's assignment");
  }

  // The offset to commit: where reading resumes.
  Result<int64_t> next_offset(const TopicPartition& partition, const std::string& value) {
    if (is_sequence_number(value)) return std::stoll(value) + 1;
    if (value.starts_with(cs::checkpoint_at_timestamp_prefix)) {
      return client_->offset_for_time(
          partition, std::stoll(value.substr(cs::checkpoint_at_timestamp_prefix.size())));
    }
    auto marks = client_->watermarks(partition);
    if (!marks) return fail(marks.error());
    if (value == cs::checkpoint_latest) return marks->second;
    if (value == cs::checkpoint_trim_horizon) return marks->first;
    return fail(Error::permanent("not a position for a Kafka partition: " + value));
  }

  std::unique_ptr<ClusterClient> client_;
};

}  // namespace

Result<std::unique_ptr<cs::CheckpointStore>> open_committed_offsets_store(
    const config::SourceConfig& source) {
  auto client = ClusterClient::connect(source);
  if (!client) return fail(client.error());
  return std::unique_ptr<cs::CheckpointStore>(new CommittedOffsetsStore(std::move(*client)));
}

}  // namespace shardpipe::kafka
