// Leases and checkpoints, one row per shard of a pipe (modelled on the KCL's lease table).
//
// Fencing: a lease's counter changes whenever ownership changes (take, release). Every renew and
// checkpoint is a conditional update on owner + counter, so a worker that lost its lease can
// never write a checkpoint.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace shardpipe::coordination {

// Checkpoint values besides sequence numbers. An empty checkpoint means "nothing handled yet".
inline constexpr std::string_view checkpoint_shard_end = "SHARD_END";
inline constexpr std::string_view checkpoint_trim_horizon = "TRIM_HORIZON";
inline constexpr std::string_view checkpoint_latest = "LATEST";
inline constexpr std::string_view checkpoint_at_timestamp_prefix = "AT_TIMESTAMP=";  // + Unix ms

struct LeaseRow {
  std::string shard_id;
  std::string owner;  // empty: nobody holds it
  int64_t counter = 0;
  int64_t expires_ms = 0;  // Unix ms
  std::string checkpoint;
  std::vector<std::string> parent_shard_ids;
  std::optional<std::string> pending_reset;  // set by `checkpoint set` for a running owner
  int64_t updated_ms = 0;
  std::string handover_to;        // a worker that asked the owner for this lease (balancing)
  int64_t handover_asked_ms = 0;  // when it last asked (Unix ms, by the store's clock)
};

struct Lease {
  std::string shard_id;
  std::string owner;
  int64_t counter = 0;
};

enum class SetOutcome { applied, pending_owner };

class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;

  // Inserts the shard's row if it is new (no owner, no checkpoint).
  virtual Status ensure_shard(const std::string& shard_id,
                              const std::vector<std::string>& parents) = 0;
  virtual Result<std::vector<LeaseRow>> list() = 0;
  virtual Result<std::optional<LeaseRow>> get(const std::string& shard_id) = 0;

  // Takes the lease when nobody holds it, it expired, or `owner` already holds it.
  virtual Result<std::optional<Lease>> try_take(const std::string& shard_id,
                                                const std::string& owner,
                                                std::chrono::milliseconds duration) = 0;
  // False when the lease is no longer ours.
  virtual Result<bool> renew(const Lease& lease, std::chrono::milliseconds duration) = 0;
  virtual Result<bool> checkpoint(const Lease& lease, const std::string& value) = 0;
  virtual Status release(const Lease& lease) = 0;

  // Balancing without stealing by force: a worker below its fair share asks the owner of a live
  // lease for it, and the owner hands it over once what it read is delivered and checkpointed.
  // False when nobody live holds the shard, or `requester` does. Stores of sources that assign
  // shards themselves (Kafka's group) do not balance: false.
  virtual Result<bool> request_handover(const std::string& shard_id, const std::string& requester) {
    (void)shard_id, (void)requester;
    return false;
  }
  // Workers announce themselves for `duration` and renew that as they renew their leases, so a
  // worker that holds no lease yet (just started) counts when shares are computed. Withdrawn
  // when it stops. Stores of sources that assign shards themselves keep no list.
  virtual Status announce_worker(const std::string& worker, std::chrono::milliseconds duration) {
    (void)worker, (void)duration;
    return {};
  }
  virtual Status withdraw_worker(const std::string& worker) {
    (void)worker;
    return {};
  }
  // The workers whose announcement has not run out.
  virtual Result<std::vector<std::string>> live_workers() { return std::vector<std::string>{}; }

  // Owner side: the lease passes to `to` (a new counter, so the old owner is fenced), live for
  // `duration`. False when the lease is no longer ours, or when `to` is not an announced worker
  // (it withdrew: it is stopping and would never start the shard; release the lease instead).
  // A withdrawal and a hand-over to the withdrawing worker are ordered: once withdraw_worker
  // returns, every lease handed to that worker shows in list().
  virtual Result<bool> hand_over(const Lease& lease, const std::string& to,
                                 std::chrono::milliseconds duration) {
    (void)lease, (void)to, (void)duration;
    return false;
  }

  // Operator reset: applied at once when no live worker holds the shard, else left pending for
  // the owner to adopt (adopt_reset).
  virtual Result<SetOutcome> set_checkpoint(const std::string& shard_id,
                                            const std::string& value) = 0;
  // Owner side: makes a pending reset the checkpoint. Returns the adopted value, if any.
  virtual Result<std::optional<std::string>> adopt_reset(const Lease& lease) = 0;

  // For /healthz: an error unless the store answers a query and could take a checkpoint write
  // now, within about `within` (never the long waits the other calls allow). By default: list().
  virtual Status probe(std::chrono::milliseconds within) {
    (void)within;
    auto rows = list();
    if (!rows) return fail(rows.error());
    return {};
  }
};

// "sqlite:/path/to/file.db" (the pipe's default) or "postgresql://..." (or "postgres://").
Result<std::unique_ptr<CheckpointStore>> open_checkpoint_store(const std::string& url,
                                                               const std::string& pipe);

}  // namespace shardpipe::coordination
