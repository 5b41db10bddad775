// Many workers sharing many shards through one checkpoint store, to measure balancing at scale:
// how long shares take to become fair after workers start, die, join and stop, how many leases
// move, and the load on the store (statements per second).
//
// Each worker is a thread with its own store connection and the real LeaseBalancer, doing what a
// `shardpipe run` worker does with leases, on the same timers: read the table and balance every
// second (hand over what others asked for, ask when short), try the leases its balancer allows
// every 250 ms (a shard's consumer waiting for its lease), renew its leases and its announcement
// every lease_duration / 3. A
// simulated consumer has nothing in flight, so a hand-over is immediate; a killed worker simply
// stops.
//
//   lease_simulation STORE_URL [--shards 1000] [--workers 50] [--lease-ms 10000]
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "coordination/checkpoint_store.hpp"
#include "coordination/lease_balancer.hpp"
#include "core/clock.hpp"

namespace cs = shardpipe::coordination;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

std::atomic<uint64_t> statements{0};  // every store call of every worker
std::atomic<uint64_t> lease_moves{0};

// A worker's lease life, on the runner's and the consumers' timers.
class SimulatedWorker {
 public:
  SimulatedWorker(std::string id, const std::string& url, std::chrono::milliseconds lease)
      : id_(std::move(id)),
        lease_(lease),
        balancer_(id_, std::max<std::chrono::milliseconds>(3s, lease)) {
    auto store = cs::open_checkpoint_store(url, "simulation");
    if (!store) throw std::runtime_error(store.error().message);
    store_ = std::move(*store);
    thread_ = std::thread([this] { run(); });
  }
  ~SimulatedWorker() { kill(); }

  // A crash: no release, no hand-over; its leases run out.
  void kill() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // SIGTERM: everything to the least loaded others, then gone.
  void stop_gracefully() {
    leaving_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    auto next_balance = steady::now();
    auto next_take = steady::now();
    auto next_renewal = steady::now();  // announces itself first
    while (!stop_) {
      auto now = steady::now();
      if (leaving_) {
        leave();
        return;
      }
      if (now >= next_balance) {
        balance();
        next_balance = now + 1s;
      }
      if (now >= next_take) {
        take();
        next_take = now + 250ms;
      }
      if (now >= next_renewal) {
        renew();
        next_renewal = now + lease_ / 3;
      }
      std::this_thread::sleep_for(10ms);
    }
  }

  bool read() {
    statements += 2;
    auto rows = store_->list();
    auto announced = store_->live_workers();
    if (!rows || !announced) return false;
    rows_ = std::move(*rows);
    balancer_.observe(rows_, *announced, shardpipe::unix_now_ms());
    return true;
  }

  void balance() {
    if (!read()) return;
    for (const auto& hand_over : balancer_.hand_overs()) {
      ++statements;
      auto handed = store_->hand_over(hand_over.lease, hand_over.to, lease_);
      held_.erase(hand_over.lease.shard_id);
      if (handed && *handed) ++lease_moves;
    }
    if (auto wanted = balancer_.lease_to_ask_for()) {
      ++statements;
      (void)store_->request_handover(*wanted, id_);
    }
  }

  // What each waiting consumer does: ask the balancer, then the store.
  void take() {
    for (const auto& row : rows_) {
      if (held_.contains(row.shard_id)) continue;
      if (!balancer_.may_take(row.shard_id)) continue;
      ++statements;
      auto taken = store_->try_take(row.shard_id, id_, lease_);
      if (taken && taken->has_value()) {
        if ((*taken)->counter != row.counter && !row.owner.empty()) ++lease_moves;
        held_[row.shard_id] = **taken;
      } else {
        balancer_.not_taken(row.shard_id);
      }
    }
  }

  void renew() {
    ++statements;
    (void)store_->announce_worker(id_, lease_);
    for (auto it = held_.begin(); it != held_.end();) {
      ++statements;
      auto renewed = store_->renew(it->second, lease_);
      it = renewed && !*renewed ? held_.erase(it) : std::next(it);
    }
  }

  void leave() {
    ++statements;
    (void)store_->withdraw_worker(id_);
    if (!read()) return;
    for (const auto& hand_over : balancer_.hand_overs_on_leaving()) {
      ++statements;
      auto handed = store_->hand_over(hand_over.lease, hand_over.to, lease_);
      if (handed && *handed) {
        ++lease_moves;
      } else {
        ++statements;  // the recipient withdrew too: free for whoever stays
        (void)store_->release(hand_over.lease);
      }
    }
  }

  std::string id_;
  std::chrono::milliseconds lease_;
  cs::LeaseBalancer balancer_;
  std::unique_ptr<cs::CheckpointStore> store_;
  std::vector<cs::LeaseRow> rows_;
  std::map<std::string, cs::Lease> held_;
  std::atomic<bool> stop_ = false;
  std::atomic<bool> leaving_ = false;
  std::thread thread_;
};

struct Options {
  std::string url;
  int shards = 1000;
  int workers = 50;
  std::chrono::milliseconds lease{10000};
};

// Live owner -> leases held, as one reading of the table shows it.
std::map<std::string, int> shares(cs::CheckpointStore& store) {
  std::map<std::string, int> held;
  auto rows = store.list();
  if (!rows) return held;
  auto now = shardpipe::unix_now_ms();
  for (const auto& row : *rows) {
    if (!row.owner.empty() && row.expires_ms >= now) ++held[row.owner];
  }
  return held;
}

class Simulation {
 public:
  explicit Simulation(Options options) : options_(std::move(options)) {
    auto store = cs::open_checkpoint_store(options_.url, "simulation");
    if (!store) throw std::runtime_error(store.error().message);
    observer_ = std::move(*store);
    for (int i = 0; i < options_.shards; ++i) {
      (void)observer_->ensure_shard(fmt::format("shard-{:05}", i), {});
    }
  }

  void start(int count) {
    for (int i = 0; i < count; ++i) {
      auto id = fmt::format("worker-{:03}", next_id_++);
      workers_[id] = std::make_unique<SimulatedWorker>(id, options_.url, options_.lease);
    }
  }
  void kill(int count) {
    for (int i = 0; i < count && !workers_.empty(); ++i) workers_.erase(workers_.begin());
  }
  void stop(int count) {
    for (int i = 0; i < count && !workers_.empty(); ++i) {
      workers_.begin()->second->stop_gracefully();
      workers_.erase(workers_.begin());
    }
  }

  // Does `change`, then waits until every shard is held by a running worker and counts differ
  // by at most one; prints the phase's row of the table.
  void settle(const std::string& phase, const std::function<void()>& change,
              std::chrono::seconds limit) {
    auto start = steady::now();
    auto statements_before = statements.load();
    auto moves_before = lease_moves.load();
    change();
    std::string shape = "not settled";
    bool settled = false;
    while (steady::now() - start < limit) {
      auto held = shares(*observer_);
      int total = 0, least = options_.shards, most = 0;
      for (const auto& [id, worker] : workers_) {
        int count = held.contains(id) ? held[id] : 0;
        total += count;
        least = std::min(least, count);
        most = std::max(most, count);
      }
      if (total == options_.shards && most - least <= 1) {
        shape = fmt::format("{}..{}", least, most);
        settled = true;
        break;
      }
      std::this_thread::sleep_for(100ms);
    }
    double seconds = std::chrono::duration<double>(steady::now() - start).count();
    fmt::print("| {} | {} | {} | {:.1f} s | {} | {:.0f} |\n", phase, workers_.size(), shape,
               seconds, lease_moves.load() - moves_before,
               (statements.load() - statements_before) / seconds);
    std::fflush(stdout);
    if (!settled) failed_ = true;
  }

  // The store's load once nothing moves.
  void steady_load(std::chrono::seconds window) {
    auto before = statements.load();
    auto moves_before = lease_moves.load();
    std::this_thread::sleep_for(window);
    auto per_second = (statements.load() - before) / static_cast<double>(window.count());
    fmt::print("| steady ({} s) | {} | - | - | {} | {:.0f} |\n", window.count(), workers_.size(),
               lease_moves.load() - moves_before, per_second);
    std::fflush(stdout);
  }

  bool failed() const { return failed_; }

 private:
  Options options_;
  std::unique_ptr<cs::CheckpointStore> observer_;
  std::map<std::string, std::unique_ptr<SimulatedWorker>> workers_;
  int next_id_ = 0;
  bool failed_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr,
               "usage: lease_simulation STORE_URL [--shards N] [--workers N] [--lease-ms MS]\n");
    return 2;
  }
  Options options{.url = argv[1]};
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::stoi(argv[i + 1]);
    if (flag == "--shards") options.shards = value;
    if (flag == "--workers") options.workers = value;
    if (flag == "--lease-ms") options.lease = std::chrono::milliseconds(value);
  }
  const int tenth = std::max(1, options.workers / 10);
  const auto limit = std::chrono::seconds(600);
  fmt::print("{} shards, {} workers, lease_duration {} ms\n\n", options.shards, options.workers,
             options.lease.count());
  fmt::print(
      "| phase | workers | shares | time to fair shares | leases moved | store statements/s |\n");
  fmt::print("|---|---|---|---|---|---|\n");
  Simulation simulation(options);
  simulation.settle(
      "all start together", [&] { simulation.start(options.workers); }, limit);
  simulation.steady_load(std::chrono::seconds(10));
  simulation.settle(
      fmt::format("{} killed", tenth), [&] { simulation.kill(tenth); }, limit);
  simulation.settle(
      fmt::format("{} join", tenth), [&] { simulation.start(tenth); }, limit);
  simulation.settle(
      fmt::format("{} stop (SIGTERM)", tenth), [&] { simulation.stop(tenth); }, limit);
  simulation.steady_load(std::chrono::seconds(10));
  return simulation.failed() ? 1 : 0;
}
