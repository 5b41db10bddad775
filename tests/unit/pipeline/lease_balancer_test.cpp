// The balancing rules, on a lease table kept in memory: shares, asking, handing over, and the
// counts converging to within one of each other without leases moving back and forth.
#include "coordination/lease_balancer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>

namespace shardpipe::coordination {
namespace {

using namespace std::chrono_literals;

constexpr int64_t lease_ms = 3000;

// Workers that each read the table once per round and act as the runner and consumers would.
class Cluster {
 public:
  explicit Cluster(int shards) {
    for (int i = 0; i < shards; ++i) {
      LeaseRow row;
      row.shard_id = "shard-" + std::to_string(100 + i);
      rows_.push_back(row);
    }
  }

  void start(const std::string& worker) {
    workers_[worker] = std::make_unique<LeaseBalancer>(worker, 3s);
  }
  // A crash: it stops renewing, and its leases and its announcement run out.
  void kill(const std::string& worker) { workers_.erase(worker); }
  // Workers announce themselves (when `announcing`), so that those holding nothing count too.
  std::vector<std::string> announced() const {
    std::vector<std::string> ids;
    if (!announcing_) return ids;
    for (const auto& [id, balancer] : workers_) ids.push_back(id);
    return ids;
  }
  void stop_announcing() { announcing_ = false; }

  // One round; returns how many leases changed hands.
  int round() {
    int moves = 0;
    now_ += 1000;
    for (auto& [id, balancer] : workers_) {
      balancer->observe(rows_, announced(), now_);
      for (const auto& hand_over : balancer->hand_overs()) {
        auto& row = find(hand_over.lease.shard_id);
        if (row.owner != id || row.counter != hand_over.lease.counter) continue;
        row.owner = hand_over.to;
        ++row.counter;
        row.expires_ms = now_ + lease_ms;
        row.handover_to.clear();
        ++moves;
      }
      if (auto wanted = balancer->lease_to_ask_for()) {
        auto& row = find(*wanted);
        row.handover_to = id;
        row.handover_asked_ms = now_;
      }
      for (auto& row : rows_) {
        bool free = row.owner.empty() || row.expires_ms < now_;
        if (row.owner == id) {
          row.expires_ms = now_ + lease_ms;  // renewed
        } else if (free && balancer->may_take(row.shard_id)) {
          row.owner = id;
          ++row.counter;
          row.expires_ms = now_ + lease_ms;
          row.handover_to.clear();
          ++moves;
        }
      }
    }
    return moves;
  }

  // Rounds until nothing moves for longer than a lease lasts (so leases of the dead have run
  // out); how many rounds moved something, or -1 if moves never stop.
  int settle(int max_rounds = 100) {
    constexpr int quiet_rounds = lease_ms / 1000 + 2;
    int quiet = 0;
    for (int i = 1; i <= max_rounds; ++i) {
      quiet = round() == 0 ? quiet + 1 : 0;
      if (quiet == quiet_rounds) return i - quiet_rounds;
    }
    return -1;
  }

  std::map<std::string, int> held() const {
    std::map<std::string, int> counts;
    for (const auto& [id, balancer] : workers_) counts[id] = 0;
    for (const auto& row : rows_) {
      if (workers_.contains(row.owner) && row.expires_ms >= now_) ++counts[row.owner];
    }
    return counts;
  }
  int unowned() const {
    auto counts = held();
    int owned = 0;
    for (const auto& [id, count] : counts) owned += count;
    return static_cast<int>(rows_.size()) - owned;
  }

  std::vector<LeaseRow>& rows() { return rows_; }
  LeaseRow& find(const std::string& shard_id) {
    return *std::ranges::find(rows_, shard_id, &LeaseRow::shard_id);
  }

 private:
  std::vector<LeaseRow> rows_;
  std::map<std::string, std::unique_ptr<LeaseBalancer>> workers_;
  int64_t now_ = 1'000'000;
  bool announcing_ = true;
};

void expect_balanced(const std::map<std::string, int>& held) {
  auto [least, most] = std::ranges::minmax_element(
      held, [](const auto& a, const auto& b) { return a.second < b.second; });
  EXPECT_LE(most->second - least->second, 1) << most->first << " holds " << most->second << ", "
                                             << least->first << " holds " << least->second;
}

TEST(LeaseBalancer, AWorkerAloneTakesEveryShard) {
  Cluster cluster(12);
  cluster.start("a");
  EXPECT_GE(cluster.settle(), 0);
  EXPECT_EQ(cluster.held()["a"], 12);
}

TEST(LeaseBalancer, WorkersStartingTogetherTakeFairSharesAtOnce) {
  Cluster cluster(12);
  for (auto id : {"a", "b", "c"}) cluster.start(id);
  EXPECT_EQ(cluster.settle(), 1) << "announced workers count from the first reading";
  EXPECT_EQ(cluster.unowned(), 0);
  for (const auto& [id, count] : cluster.held()) EXPECT_EQ(count, 4) << id;
}

TEST(LeaseBalancer, WithoutAnnouncementsTheFirstWorkerHandsLeasesOverOneByOne) {
  Cluster cluster(12);
  cluster.stop_announcing();
  for (auto id : {"a", "b", "c"}) cluster.start(id);
  EXPECT_GT(cluster.settle(), 1);
  EXPECT_EQ(cluster.unowned(), 0);
  for (const auto& [id, count] : cluster.held()) EXPECT_EQ(count, 4) << id;
}

TEST(LeaseBalancer, ALateWorkerIsHandedLeasesUntilSharesAreFair) {
  Cluster cluster(12);
  cluster.start("a");
  cluster.settle();
  ASSERT_EQ(cluster.held()["a"], 12);
  cluster.start("b");
  cluster.start("c");
  EXPECT_GE(cluster.settle(), 0);
  for (const auto& [id, count] : cluster.held()) EXPECT_EQ(count, 4) << id;

  cluster.start("d");  // a fourth joins: 3 each
  int rounds = cluster.settle();
  EXPECT_GE(rounds, 0);
  EXPECT_LE(rounds, 4);  // one lease per asker and round
  for (const auto& [id, count] : cluster.held()) EXPECT_EQ(count, 3) << id;
}

TEST(LeaseBalancer, SharesThatCannotBeEqualStayWithinOneAndStopMoving) {
  Cluster cluster(13);
  for (auto id : {"a", "b", "c", "d", "e"}) cluster.start(id);
  EXPECT_GE(cluster.settle(), 0);
  EXPECT_EQ(cluster.unowned(), 0);
  expect_balanced(cluster.held());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(cluster.round(), 0);
}

TEST(LeaseBalancer, SurvivorsSplitADeadWorkersLeasesEvenly) {
  Cluster cluster(12);
  for (auto id : {"a", "b", "c", "d"}) cluster.start(id);
  cluster.settle();
  cluster.kill("b");
  EXPECT_GE(cluster.settle(), 0);
  EXPECT_EQ(cluster.unowned(), 0);
  for (const auto& [id, count] : cluster.held()) EXPECT_EQ(count, 4) << id;
}

TEST(LeaseBalancer, ManyShardsAndWorkersConverge) {
  Cluster cluster(1000);
  for (int i = 0; i < 50; ++i) cluster.start("w" + std::to_string(i));
  EXPECT_EQ(cluster.settle(400), 1);
  EXPECT_EQ(cluster.unowned(), 0);
  for (const auto& [id, count] : cluster.held()) {
    EXPECT_EQ(count, 20) << id;
  }
}

TEST(LeaseBalancer, AtItsShareAWorkerLeavesFreeLeasesToOthers) {
  std::vector<LeaseRow> rows(4);
  for (int i = 0; i < 4; ++i) rows[i].shard_id = "s" + std::to_string(i);
  rows[0].owner = "a";
  rows[0].expires_ms = 5000;
  rows[1].owner = "b";
  rows[1].expires_ms = 5000;
  LeaseBalancer a("a", 3s);
  a.observe(rows, {}, 1000);
  EXPECT_EQ(a.share(), 2);
  EXPECT_TRUE(a.may_take("s0"));   // its own
  EXPECT_TRUE(a.may_take("s2"));   // a place up to its share, reserved
  EXPECT_FALSE(a.may_take("s3"));  // the share is reached
  a.not_taken("s2");               // the take failed: the place is free again
  EXPECT_TRUE(a.may_take("s3"));
  // Nothing is asked of others while free leases remain.
  EXPECT_EQ(a.lease_to_ask_for(), std::nullopt);
}

TEST(LeaseBalancer, NothingIsTakenBeforeTheFirstReading) {
  LeaseBalancer a("a", 3s);
  EXPECT_FALSE(a.may_take("s0"));
  EXPECT_EQ(a.lease_to_ask_for(), std::nullopt);
}

TEST(LeaseBalancer, OnlyRecentRequestsAreHonoured) {
  std::vector<LeaseRow> rows(4);
  for (int i = 0; i < 4; ++i) {
    rows[i].shard_id = "s" + std::to_string(i);
    rows[i].owner = "a";
    rows[i].expires_ms = 50'000;
  }
  rows[0].handover_to = "gone";
  rows[0].handover_asked_ms = 10'000;
  LeaseBalancer a("a", 3s);
  a.observe(rows, {}, 14'000);  // asked 4 s ago: its asker stopped asking
  EXPECT_TRUE(a.hand_overs().empty());
  a.observe(rows, {}, 12'000);
  auto moving = a.hand_overs();
  ASSERT_EQ(moving.size(), 1u);
  EXPECT_EQ(moving[0].lease.shard_id, "s0");
  EXPECT_EQ(moving[0].to, "gone");
}

TEST(LeaseBalancer, ALeavingWorkerSpreadsItsLeasesOverTheLeastLoaded) {
  std::vector<LeaseRow> rows(6);
  for (int i = 0; i < 6; ++i) {
    rows[i].shard_id = "s" + std::to_string(i);
    rows[i].expires_ms = 50'000;
  }
  for (int i : {0, 1, 2, 3}) rows[i].owner = "a";
  rows[4].owner = "b";
  rows[4].owner = "b";
  rows[5].owner = "c";
  rows[5].expires_ms = 500;  // expired: c is not live
  LeaseBalancer a("a", 3s);
  a.observe(rows, {"b", "d"}, 1000);  // "a" withdrew before this reading
  auto moving = a.hand_overs_on_leaving();
  ASSERT_EQ(moving.size(), 4u);
  std::map<std::string, int> given;
  for (const auto& hand_over : moving) ++given[hand_over.to];
  EXPECT_EQ(given["b"], 2) << "b holds one already: 3 and 2 in the end";
  EXPECT_EQ(given["d"], 2);

  LeaseBalancer alone("b", 3s);
  rows[4].owner = "b";
  for (int i : {0, 1, 2, 3}) rows[i].owner = "";
  alone.observe(rows, {}, 1000);
  EXPECT_TRUE(alone.hand_overs_on_leaving().empty());
}

// Two workers stopping at once: each withdraws, then reads the table. The other still holds
// leases, so it counts as live, but it withdrew: it would never start what it is given.
TEST(LeaseBalancer, ALeavingWorkerGivesNothingToAWorkerThatWithdrew) {
  std::vector<LeaseRow> rows(6);
  for (int i = 0; i < 6; ++i) {
    rows[i].shard_id = "s" + std::to_string(i);
    rows[i].expires_ms = 50'000;
    rows[i].owner = i < 3 ? "a" : "b";
  }
  LeaseBalancer a("a", 3s);
  a.observe(rows, {"c"}, 1000);
  auto moving = a.hand_overs_on_leaving();
  ASSERT_EQ(moving.size(), 3u);
  for (const auto& hand_over : moving) EXPECT_EQ(hand_over.to, "c");

  a.observe(rows, {}, 1000);
  EXPECT_TRUE(a.hand_overs_on_leaving().empty()) << "nobody announced: release instead";
}

// The moment to read the table again: when the first lease of another live worker runs out.
TEST(LeaseBalancer, NamesWhenTheFirstLeaseOfAnotherLiveWorkerRunsOut) {
  std::vector<LeaseRow> rows(4);
  rows[0] = {.shard_id = "s0", .owner = "a", .expires_ms = 9'000};  // ours: not counted
  rows[1] = {.shard_id = "s1", .owner = "b", .expires_ms = 7'000};
  rows[2] = {.shard_id = "s2", .owner = "c", .expires_ms = 5'000};
  rows[3] = {.shard_id = "s3", .owner = "d", .expires_ms = 500};  // ran out already
  LeaseBalancer a("a", 3s);
  EXPECT_FALSE(a.next_foreign_expiry_ms().has_value()) << "nothing read yet";
  a.observe(rows, {}, 1000);
  EXPECT_EQ(a.next_foreign_expiry_ms(), 5'000);
  a.observe({rows[0]}, {}, 1000);
  EXPECT_FALSE(a.next_foreign_expiry_ms().has_value()) << "only our own leases";
}

}  // namespace
}  // namespace shardpipe::coordination
