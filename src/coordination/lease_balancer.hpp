// Fair shares of a pipe's leases among the workers that run it, decided by each worker alone from
// the lease table (after the KCL's lease taker), but without stealing by force: a worker below its
// share asks the most loaded worker for one lease, which hands it over once what it read from the
// shard is delivered and checkpointed. Balancing therefore never delivers a record twice.
//
// From one reading of the table:
// - live workers: the workers announced in the store, the owners of leases that have not
//   expired, and this worker;
// - open shards: not finished, and every parent finished;
// - this worker's share: ceil(open shards / live workers). It takes free or expired leases only
//   while it holds fewer than that, so that a new pipe's first worker does not take everything
//   and the survivors of a failure split the orphans evenly;
// - when it holds at least two fewer than the most loaded worker, it asks that worker for one
//   lease (at most one per reading);
// - asked for a lease, a worker hands it over when it holds at least two more than the asker and
//   the asker asked recently (it asks again every reading while it still wants one), so a worker
//   that stopped is not given leases.
// The counts then converge to within one of each other, and no lease moves back and forth.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "coordination/checkpoint_store.hpp"

namespace shardpipe::coordination {

class LeaseBalancer {
 public:
  // A request older than `request_lifetime` is no longer honoured.
  LeaseBalancer(std::string worker_id, std::chrono::milliseconds request_lifetime)
      : worker_id_(std::move(worker_id)), request_lifetime_(request_lifetime) {}

  // A fresh reading of the table and of the announced workers, with the time of reading (Unix ms).
  void observe(const std::vector<LeaseRow>& rows, const std::vector<std::string>& announced,
               int64_t now_ms);

  // Before trying to take a lease this worker does not hold: whether the reading showed it free
  // (or ours) and this worker is below its share. A yes reserves a place until the next reading,
  // or until `not_taken` gives it back. No means: do not ask the store.
  bool may_take(const std::string& shard_id);
  void not_taken(const std::string& shard_id);
  // Whether the reading showed another live worker holding the shard.
  bool held_by_another(const std::string& shard_id) const;

  // A live lease to ask its owner for, if this worker is short of its share.
  std::optional<std::string> lease_to_ask_for() const;
  struct HandOver {
    Lease lease;  // ours, as the reading showed it
    std::string to;
  };
  // The leases of ours to hand over now, to the workers that asked for them. Counted as moved,
  // so that one reading never gives an asker more than its share.
  std::vector<HandOver> hand_overs();
  // When this worker stops: each lease of ours to the least loaded other announced worker, so
  // that they move at once instead of waiting to be seen released. Only announced workers: one
  // that holds leases but withdrew is stopping too and would never start them. Empty when no
  // other worker is announced.
  std::vector<HandOver> hand_overs_on_leaving();

  // When the first lease another live worker held at the reading runs out (Unix ms, as the
  // table says), if any: a worker that died stops renewing, so reading the table again just
  // after that moment takes its shards over without waiting for the next regular reading.
  std::optional<int64_t> next_foreign_expiry_ms() const;

  // For tests and `status`.
  int64_t share() const;
  int64_t held() const;

 private:
  int64_t held_by(const std::string& worker) const;  // mutex_ held

  const std::string worker_id_;
  const std::chrono::milliseconds request_lifetime_;
  mutable std::mutex mutex_;  // the runner observes, every shard's consumer asks
  bool observed_ = false;
  int64_t share_ = 0;
  std::map<std::string, int64_t> held_;  // live workers (this one too) → leases held
  std::set<std::string> announced_;      // workers announced in the store
  std::optional<int64_t> next_foreign_expiry_ms_;
  std::map<std::string, std::string> owners_;  // shard → live owner
  std::map<std::string, int64_t> ours_;        // shards this worker held at the reading → counter
  std::set<std::string> reserved_;             // places given by may_take since the reading
  std::set<std::string> open_;                 // shards that can be worked on now
  std::map<std::string, std::string> askers_;  // shard → who asked for it recently
  std::map<std::string, std::string> asked_of_us_;  // our shards → who asked for them recently
};

}  // namespace shardpipe::coordination
