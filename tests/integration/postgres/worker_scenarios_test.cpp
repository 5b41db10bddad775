// `shardpipe run` workers sharing one pipe (a 12-shard local log) through each checkpoint store,
// SQLite (processes on one machine) and PostgreSQL (a server the test starts), while records are
// put all along: fair shares when they start together, no lease moving once shares are fair, a
// fourth worker joining, a SIGTERM hand-over under 2 s, a SIGKILL take-over once the lease runs
// out, a worker frozen past its lease (SIGSTOP) that cannot checkpoint when it wakes, and the
// store going away and coming back; two workers stopping at the same moment. Every record reaches
// the file target exactly once.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "local_pipe.hpp"
#include "postgres_server.hpp"
#include "process.hpp"

namespace shardpipe::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

const std::string shardpipe_binary = SHARDPIPE_BINARY;
constexpr int shard_count = 12;

int64_t millis_since(steady::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start).count();
}

// Puts a few dozen keyed records every 200 ms until stopped, and remembers them.
class Producer {
 public:
  explicit Producer(fs::path log) : log_(std::move(log)) {
    thread_ = std::thread([this] {
      for (int chunk = 0; !stop_; ++chunk) {
        std::vector<std::string> lines;
        for (int i = chunk * 30; i < chunk * 30 + 30; ++i) {
          lines.push_back(fmt::format(R"({{"k":"key-{}","i":{}}})", i % 50, i));
        }
        auto put = put_records(shardpipe_binary, log_, lines, {"--partition-key-field", "k"});
        {
          std::lock_guard lock(mutex_);
          put_ = concat(std::move(put_), put);
        }
        std::this_thread::sleep_for(200ms);
      }
    });
  }
  ~Producer() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<PutRecord> records() {
    std::lock_guard lock(mutex_);
    return put_;
  }

 private:
  fs::path log_;
  std::atomic<bool> stop_ = false;
  std::mutex mutex_;
  std::vector<PutRecord> put_;
  std::thread thread_;
};

// Sequence numbers of one shard, compared as numbers.
bool before(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

class WorkerScenarios : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fresh_test_dir("worker-scenarios-" + GetParam());
    if (GetParam() == "postgresql") {
      db_.emplace(dir_);
      store_ = db_->dsn();
    }
    create_log(shardpipe_binary, dir_ / "log", shard_count);
    pipe_ = dir_ / "pipe.yaml";
    write_pipe(std::chrono::milliseconds(lease_ms));
    create_store(shardpipe_binary, pipe_);
  }

  void write_pipe(std::chrono::milliseconds lease_duration) {
    write_file(pipe_, fmt::format(R"(name: scenarios
source:
  type: local
  path: ./log
target:
  type: file
  path: ./out
  records_per_file: 20
retry: {{backoff_initial: 50ms, backoff_max: 500ms}}
checkpoint:
  store: "{}"
  lease_duration: {}ms
metrics:
  listen: "off"
shutdown_timeout: 5s
)",
                                  store_, lease_duration.count()));
  }

  void start(const std::string& id) {
    workers_[id] = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{shardpipe_binary, "run", pipe_.string(), "--worker-id", id},
        dir_ / (id + ".log"));
  }

  std::string logs() const {
    std::string text;
    for (const auto& [id, worker] : workers_) text += "--- " + id + "\n" + worker->output();
    return text;
  }

  // Live owner -> shards held, from `status --json` ("" counts the shards nobody holds).
  std::map<std::string, int> held() const {
    std::map<std::string, int> counts;
    auto status = status_json(shardpipe_binary, pipe_);
    for (const auto& shard : status["shards"]) {
      ++counts[shard["leaseOwner"].is_string() ? shard["leaseOwner"].get<std::string>() : ""];
    }
    return counts;
  }

  static std::string describe(const std::map<std::string, int>& counts) {
    std::string text;
    for (const auto& [owner, count] : counts) {
      text += fmt::format("{}={} ", owner.empty() ? "(nobody)" : owner, count);
    }
    return text;
  }

  // Every shard held by one of `ids`, and (when `fair`) each of them holding within one of the
  // others. Returns how long it took, or nullopt after `timeout`.
  std::optional<int64_t> wait_for_owners(const std::set<std::string>& ids, bool fair,
                                         std::chrono::milliseconds timeout) {
    auto start = steady::now();
    bool ok = wait_until(
        [&] {
          last_counts_ = held();
          int total = 0;
          int least = shard_count;
          int most = 0;
          for (const auto& id : ids) {
            int count = last_counts_.contains(id) ? last_counts_.at(id) : 0;
            total += count;
            least = std::min(least, count);
            most = std::max(most, count);
          }
          return total == shard_count && (!fair || most - least <= 1);
        },
        timeout);
    if (!ok) return std::nullopt;
    return millis_since(start);
  }

  // How many hand-overs the workers have logged so far.
  size_t hand_overs() const {
    size_t count = 0;
    for (const auto& [id, worker] : workers_) {
      auto text = worker->output();
      for (auto at = text.find("handing shard"); at != std::string::npos;
           at = text.find("handing shard", at + 1)) {
        ++count;
      }
    }
    return count;
  }

  // SIGSTOP. A SQLite store is one file: a worker frozen while it commits keeps the file's write
  // lock, and no other worker can write until it runs again (docs/operations.md says so; the
  // PostgreSQL server finishes a frozen client's statement). The freeze is moved off a commit
  // so that the take-over, not that limit, is what the test sees.
  void freeze(const std::string& id) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      workers_[id]->signal(SIGSTOP);
      if (db_ || !sqlite_write_lock_held()) return;
      workers_[id]->signal(SIGCONT);
      std::this_thread::sleep_for(std::chrono::milliseconds(20 + attempt));
    }
    FAIL() << id << " held the SQLite store's write lock at every one of 50 freezes";
  }

  bool sqlite_write_lock_held() const {
    std::this_thread::sleep_for(100ms);  // let a commit of the frozen worker show, if it was in one
    sqlite3* db = nullptr;
    if (sqlite3_open((dir_ / "state" / "leases.db").c_str(), &db) != SQLITE_OK) return false;
    sqlite3_busy_timeout(db, 300);  // the other workers' commits last milliseconds
    bool held = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_BUSY;
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return held;
  }

  // Makes the store unusable for `duration`: the server stopped, or the SQLite file locked.
  void store_outage(std::chrono::milliseconds duration) {
    if (db_) {
      db_->stop();
      std::this_thread::sleep_for(duration);
      db_->start();
      return;
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "state" / "leases.db").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);  // the workers write all the time
    ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    std::this_thread::sleep_for(duration);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }

  // Stops the producer, then waits until the file target holds each record it put exactly once.
  std::vector<PutRecord> stop_and_wait_for_every_record_once(Producer& producer) {
    producer.stop();
    auto put = producer.records();
    std::string missing;
    EXPECT_TRUE(wait_until(
        [&] { return (missing = exactly_once(put, read_file_target(dir_ / "out"))).empty(); }, 60s))
        << missing << logs();
    return put;
  }

  static constexpr int lease_ms = 2000;
  std::string store_ = "sqlite:./state/leases.db";
  fs::path dir_;
  fs::path pipe_;
  std::optional<PostgresServer> db_;
  std::map<std::string, std::unique_ptr<BackgroundProcess>> workers_;
  std::map<std::string, int> last_counts_;
};

TEST_P(WorkerScenarios, WorkersShareAStreamFairlyThroughJoinsStopsKillsFreezesAndStoreOutages) {
  Producer producer(dir_ / "log");
  auto timings = std::map<std::string, int64_t>{};
  auto expect_owners = [&](const std::string& phase, const std::set<std::string>& ids, bool fair,
                           std::chrono::milliseconds timeout) {
    auto took = wait_for_owners(ids, fair, timeout);
    EXPECT_TRUE(took) << phase << ": " << describe(last_counts_) << "\n" << logs();
    if (took) timings[phase] = *took;
    return took.has_value();
  };

  // Three workers start together on a new pipe: 4 shards each.
  for (std::string id : {"w0", "w1", "w2"}) start(id);
  ASSERT_TRUE(expect_owners("start: fair shares", {"w0", "w1", "w2"}, true, 30s));

  // Once shares are fair, no lease moves: nobody takes from a worker that renews in time.
  auto moves = hand_overs();
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(hand_overs(), moves) << logs();
  EXPECT_EQ(describe(held()), describe(last_counts_)) << "owners changed while balanced";

  // A fourth joins: 3 each.
  start("w3");
  ASSERT_TRUE(expect_owners("join: fair shares", {"w0", "w1", "w2", "w3"}, true, 20s));

  // SIGTERM: the leaving worker finishes, checkpoints and hands its shards to the others.
  workers_["w3"]->signal(SIGTERM);
  ASSERT_TRUE(expect_owners("SIGTERM: hand-over", {"w0", "w1", "w2"}, false, 10s));
  EXPECT_LT(timings["SIGTERM: hand-over"], 2000) << "a graceful stop moves shards at once";
  auto exit_code = workers_["w3"]->wait_for(20s);
  ASSERT_TRUE(exit_code.has_value()) << logs();
  EXPECT_EQ(*exit_code, 0) << logs();
  ASSERT_TRUE(expect_owners("after SIGTERM: fair shares", {"w0", "w1", "w2"}, true, 20s));

  // SIGKILL: nothing is handed over; the survivors take the shards once the leases run out.
  workers_["w0"]->signal(SIGKILL);
  ASSERT_TRUE(workers_["w0"]->wait_for(10s).has_value());
  ASSERT_TRUE(expect_owners("SIGKILL: take-over", {"w1", "w2"}, false, 20s));
  // The lease runs out within 2 s of the last renewal, and survivors read the table every second.
  EXPECT_LT(timings["SIGKILL: take-over"], lease_ms + 4000);
  ASSERT_TRUE(expect_owners("after SIGKILL: fair shares", {"w1", "w2"}, true, 20s));

  // SIGSTOP past the lease: w2 takes everything. After SIGCONT, w1 finds its leases gone and
  // cannot checkpoint what it was doing: no checkpoint goes back.
  freeze("w1");
  ASSERT_TRUE(expect_owners("SIGSTOP: take-over", {"w2"}, false, 20s));
  auto seen = checkpoints(shardpipe_binary, pipe_);
  workers_["w1"]->signal(SIGCONT);
  auto until = steady::now() + 3s;
  while (steady::now() < until) {
    auto now = checkpoints(shardpipe_binary, pipe_);
    for (const auto& [shard, checkpoint] : now) {
      const auto& earlier = seen[shard];
      if (is_sequence(earlier) && is_sequence(checkpoint)) {
        EXPECT_FALSE(before(checkpoint, earlier))
            << shard << " went back from " << earlier << " to " << checkpoint;
      }
    }
    seen = now;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(workers_["w1"]->output().find("lease lost"), std::string::npos) << logs();
  ASSERT_TRUE(expect_owners("after SIGCONT: fair shares", {"w1", "w2"}, true, 20s));

  // The store goes away for twice the lease and comes back: the workers keep running and their
  // state, stop checkpointing meanwhile, and carry on.
  store_outage(2 * std::chrono::milliseconds(lease_ms));
  for (std::string id : {"w1", "w2"}) EXPECT_TRUE(workers_[id]->running()) << id << logs();
  ASSERT_TRUE(expect_owners("after the outage: fair shares", {"w1", "w2"}, true, 30s));

  auto put = stop_and_wait_for_every_record_once(producer);
  for (std::string id : {"w1", "w2"}) workers_[id]->signal(SIGTERM);
  for (std::string id : {"w1", "w2"}) {
    auto code = workers_[id]->wait_for(20s);
    ASSERT_TRUE(code.has_value()) << logs();
    EXPECT_EQ(*code, 0) << logs();
  }
  auto final_run = run_until_idle(shardpipe_binary, pipe_, "final", "1s");
  EXPECT_EQ(final_run.exit_code, 0) << final_run.out << final_run.err;
  EXPECT_EQ(exactly_once(put, read_file_target(dir_ / "out")), "");
  EXPECT_EQ(checkpointed_to_the_end(shardpipe_binary, pipe_, put), "");

  std::cout << GetParam() << ": " << put.size() << " records;";
  for (const auto& [phase, ms] : timings) std::cout << " " << phase << " " << ms << " ms;";
  std::cout << "\n";
  if (!HasFailure()) fs::remove_all(dir_);
}

// Two of three workers stopped at the same moment (a rolling restart, a scale-down): each hands
// its shards on as it leaves, and must not hand any to the other, which is leaving too and would
// never start them. The shards reach the third at once, not when a lease runs out.
TEST_P(WorkerScenarios, TwoWorkersStoppingTogetherLeaveTheirShardsToTheThirdAtOnce) {
  const auto lease = 10s;  // a lease handed to a leaving worker would hold its shard this long
  write_pipe(lease);
  Producer producer(dir_ / "log");
  start("stays");
  // Which of the two finishes last varies, and only a hand-over to the one that already left
  // strands a shard: a few rounds.
  std::vector<int64_t> took_ms;
  for (int round = 0; round < 3 && !HasFailure(); ++round) {
    const auto a = fmt::format("a{}", round);
    const auto b = fmt::format("b{}", round);
    for (const auto& id : {a, b}) start(id);
    ASSERT_TRUE(wait_for_owners({a, b, "stays"}, true, 30s)) << describe(last_counts_) << logs();
    for (const auto& id : {a, b}) workers_[id]->signal(SIGTERM);
    auto took = wait_for_owners({"stays"}, false, 2 * lease);
    ASSERT_TRUE(took) << describe(last_counts_) << logs();
    EXPECT_LT(*took, 5000) << "a shard waited for a lease to run out\n" << logs();
    took_ms.push_back(*took);
    for (const auto& id : {a, b}) {
      auto code = workers_[id]->wait_for(20s);
      ASSERT_TRUE(code.has_value()) << logs();
      EXPECT_EQ(*code, 0) << logs();
    }
  }

  auto put = stop_and_wait_for_every_record_once(producer);
  workers_["stays"]->signal(SIGTERM);
  auto code = workers_["stays"]->wait_for(20s);
  ASSERT_TRUE(code.has_value()) << logs();
  EXPECT_EQ(*code, 0) << logs();
  std::cout << GetParam() << ": " << put.size() << " records; every shard with the third after";
  for (auto ms : took_ms) std::cout << " " << ms << " ms";
  std::cout << "\n";
  if (!HasFailure()) fs::remove_all(dir_);
}

// `checkpoint set` while two workers run: each owner adopts the reset without a restart (the
// same processes, which the command names), records put before a reset to LATEST are never
// delivered after it, TRIM_HORIZON replays everything, and a sequence number lands exactly there.
TEST_P(WorkerScenarios, RunningWorkersAdoptCheckpointResets) {
  // A regular file where the target's folder must be: nothing can be delivered until it goes.
  write_file(dir_ / "out", "not a folder");
  for (std::string id : {"r0", "r1"}) start(id);
  ASSERT_TRUE(wait_for_owners({"r0", "r1"}, true, 30s)) << describe(last_counts_) << logs();
  const auto moves = hand_overs();
  std::vector<std::string> lines;
  for (int i = 0; i < 120; ++i) lines.push_back(fmt::format(R"({{"k":"b{}","i":{}}})", i, i));
  auto before = put_records(shardpipe_binary, dir_ / "log", lines, {"--partition-key-field", "k"});
  std::this_thread::sleep_for(1s);  // read, and retrying against the missing folder

  auto reset = [&](std::vector<std::string> which, const std::string& position) {
    std::vector<std::string> argv = {shardpipe_binary, "checkpoint", "set", pipe_.string()};
    argv.insert(argv.end(), which.begin(), which.end());
    argv.insert(argv.end(), {"--to", position});
    auto done = run_process_for(60s, argv);
    EXPECT_EQ(done.exit_code, 0) << done.out << done.err;
    return done.out;
  };
  auto adopted_by_owners = [&](const std::string& out, size_t shards) {
    size_t adopted = 0;
    for (auto at = out.find("adopted by the running owner r"); at != std::string::npos;
         at = out.find("adopted by the running owner r", at + 1)) {
      ++adopted;
    }
    EXPECT_EQ(adopted, shards) << out;
  };

  adopted_by_owners(reset({"--all"}, "LATEST"), shard_count);
  fs::remove(dir_ / "out");
  std::vector<std::string> after_lines;
  for (int i = 0; i < 120; ++i) after_lines.push_back(fmt::format(R"({{"k":"a{}","i":{}}})", i, i));
  auto after =
      put_records(shardpipe_binary, dir_ / "log", after_lines, {"--partition-key-field", "k"});
  std::string problem;
  EXPECT_TRUE(wait_until(
      [&] { return (problem = exactly_once(after, read_file_target(dir_ / "out"))).empty(); }, 30s))
      << "only what came after the reset: " << problem << logs();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(exactly_once(after, read_file_target(dir_ / "out")), "")
      << "records put before the reset were delivered after it";

  // Files are named after their first record: a replay into the same folder would cut them
  // differently, so it starts from an empty one.
  fs::remove_all(dir_ / "out");
  adopted_by_owners(reset({"--all"}, "TRIM_HORIZON"), shard_count);
  auto everything = concat(before, after);
  EXPECT_TRUE(wait_until(
      [&] { return (problem = exactly_once(everything, read_file_target(dir_ / "out"))).empty(); },
      30s))
      << "a replay of everything: " << problem << logs();

  // One shard, to a sequence number in the middle: exactly the records after it come again.
  const auto shard = before.front().shard_id;
  auto held = in_shard(everything, shard);
  ASSERT_GE(held.size(), 4u);
  const auto middle = held[held.size() / 2].sequence;
  std::vector<PutRecord> expected;
  for (const auto& record : held) {
    if (record.sequence > middle) expected.push_back(record);
  }
  // Wait until the shard is checkpointed past the middle, so the reset is a real step back.
  ASSERT_TRUE(wait_until(
      [&] {
        return checkpoints(shardpipe_binary, pipe_)[shard] == std::to_string(held.back().sequence);
      },
      20s));
  fs::remove_all(dir_ / "out");
  adopted_by_owners(reset({"--shard", shard}, std::to_string(middle)), 1);
  EXPECT_TRUE(wait_until(
      [&] { return (problem = exactly_once(expected, read_file_target(dir_ / "out"))).empty(); },
      30s))
      << "from the sequence number on: " << problem << logs();

  EXPECT_EQ(hand_overs(), moves) << "a reset moved leases\n" << logs();
  for (std::string id : {"r0", "r1"}) {
    EXPECT_TRUE(workers_[id]->running()) << id << " restarted or died\n" << logs();
    workers_[id]->signal(SIGTERM);
  }
  for (std::string id : {"r0", "r1"}) {
    auto code = workers_[id]->wait_for(20s);
    ASSERT_TRUE(code.has_value()) << logs();
    EXPECT_EQ(*code, 0) << logs();
  }
  if (!HasFailure()) fs::remove_all(dir_);
}

INSTANTIATE_TEST_SUITE_P(BothStores, WorkerScenarios, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace shardpipe::testing
