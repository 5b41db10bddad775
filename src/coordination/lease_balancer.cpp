#include "coordination/lease_balancer.hpp"

#include <algorithm>

namespace shardpipe::coordination {

void LeaseBalancer::observe(const std::vector<LeaseRow>& rows,
                            const std::vector<std::string>& announced, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  observed_ = true;
  held_.clear();
  owners_.clear();
  ours_.clear();
  reserved_.clear();
  open_.clear();
  askers_.clear();
  asked_of_us_.clear();
  announced_ = {announced.begin(), announced.end()};
  next_foreign_expiry_ms_.reset();

  std::set<std::string> known;
  std::set<std::string> finished;
  for (const auto& row : rows) {
    known.insert(row.shard_id);
    if (row.checkpoint == checkpoint_shard_end) finished.insert(row.shard_id);
  }
  held_[worker_id_] = 0;
  for (const auto& worker : announced) held_.try_emplace(worker, 0);
  for (const auto& row : rows) {
    const bool ours = row.owner == worker_id_;
    const bool live = ours || (!row.owner.empty() && row.expires_ms >= now_ms);
    if (live) held_.try_emplace(row.owner, 0);
    if (live && !ours) {
      next_foreign_expiry_ms_ =
          std::min(next_foreign_expiry_ms_.value_or(row.expires_ms), row.expires_ms);
    }
    const bool open = !finished.contains(row.shard_id) &&
                      std::ranges::all_of(row.parent_shard_ids, [&](const std::string& parent) {
                        return finished.contains(parent) || !known.contains(parent);
                      });
    if (!open) continue;
    open_.insert(row.shard_id);
    if (live) {
      owners_[row.shard_id] = row.owner;
      ++held_[row.owner];
      if (ours) ours_[row.shard_id] = row.counter;
    }
    const bool recent =
        !row.handover_to.empty() && now_ms - row.handover_asked_ms <= request_lifetime_.count();
    if (!recent) continue;
    askers_[row.shard_id] = row.handover_to;
    if (ours) asked_of_us_[row.shard_id] = row.handover_to;
  }
  const auto workers = static_cast<int64_t>(held_.size());
  const auto open_count = static_cast<int64_t>(open_.size());
  share_ = (open_count + workers - 1) / workers;
}

bool LeaseBalancer::may_take(const std::string& shard_id) {
  std::lock_guard lock(mutex_);
  if (!observed_) return false;
  if (ours_.contains(shard_id) || reserved_.contains(shard_id)) return true;
  // Held by a live worker at the reading: asking the store would only be refused. (A lease
  // released or handed to us since shows at the next reading, within a second.)
  if (owners_.contains(shard_id)) return false;
  if (held_by(worker_id_) + static_cast<int64_t>(reserved_.size()) >= share_) return false;
  reserved_.insert(shard_id);
  return true;
}

void LeaseBalancer::not_taken(const std::string& shard_id) {
  std::lock_guard lock(mutex_);
  reserved_.erase(shard_id);
}

bool LeaseBalancer::held_by_another(const std::string& shard_id) const {
  std::lock_guard lock(mutex_);
  auto owner = owners_.find(shard_id);
  return owner != owners_.end() && owner->second != worker_id_;
}

std::optional<std::string> LeaseBalancer::lease_to_ask_for() const {
  std::lock_guard lock(mutex_);
  if (!observed_) return std::nullopt;
  // While an open shard is free, taking it is the way to a share.
  for (const auto& shard_id : open_) {
    if (!owners_.contains(shard_id)) return std::nullopt;
  }
  const int64_t mine = held_by(worker_id_) + static_cast<int64_t>(reserved_.size());
  auto owns_enough_to_give = [&](const std::string& owner) {
    return owner != worker_id_ && held_by(owner) >= mine + 2;
  };
  // A request of ours still worth making: make it again, so that it stays recent, rather than
  // ask a second worker as well.
  for (const auto& [shard_id, asker] : askers_) {
    auto owner = owners_.find(shard_id);
    if (asker == worker_id_ && owner != owners_.end() && owns_enough_to_give(owner->second)) {
      return shard_id;
    }
  }
  // The most loaded worker (the first by name among equals, so that askers agree).
  const std::string* busiest = nullptr;
  for (const auto& [worker, count] : held_) {
    if (worker != worker_id_ && (!busiest || count > held_.at(*busiest))) busiest = &worker;
  }
  if (!busiest || !owns_enough_to_give(*busiest)) return std::nullopt;
  for (const auto& [shard_id, owner] : owners_) {
    if (owner == *busiest && !askers_.contains(shard_id)) return shard_id;
  }
  return std::nullopt;
}

std::vector<LeaseBalancer::HandOver> LeaseBalancer::hand_overs() {
  std::lock_guard lock(mutex_);
  std::vector<HandOver> moving;
  for (const auto& [shard_id, asker] : asked_of_us_) {
    auto ours = ours_.find(shard_id);
    if (ours == ours_.end()) continue;
    auto& mine = held_[worker_id_];
    auto& theirs = held_[asker];
    if (mine < theirs + 2) continue;
    --mine;
    ++theirs;
    moving.push_back({Lease{shard_id, worker_id_, ours->second}, asker});
    ours_.erase(ours);
  }
  asked_of_us_.clear();
  return moving;
}

std::vector<LeaseBalancer::HandOver> LeaseBalancer::hand_overs_on_leaving() {
  std::lock_guard lock(mutex_);
  std::vector<HandOver> moving;
  for (const auto& [shard_id, counter] : ours_) {
    const std::string* least = nullptr;
    for (const auto& [worker, count] : held_) {
      if (worker == worker_id_ || !announced_.contains(worker)) continue;
      if (!least || count < held_.at(*least)) least = &worker;
    }
    if (!least) break;
    ++held_[*least];
    moving.push_back({Lease{shard_id, worker_id_, counter}, *least});
  }
  return moving;
}

std::optional<int64_t> LeaseBalancer::next_foreign_expiry_ms() const {
  std::lock_guard lock(mutex_);
  return next_foreign_expiry_ms_;
}

int64_t LeaseBalancer::share() const {
  std::lock_guard lock(mutex_);
  return share_;
}

int64_t LeaseBalancer::held() const {
  std::lock_guard lock(mutex_);
  return held_by(worker_id_);
}

int64_t LeaseBalancer::held_by(const std::string& worker) const {
  auto found = held_.find(worker);
  return found == held_.end() ? 0 : found->second;
}

}  // namespace shardpipe::coordination
