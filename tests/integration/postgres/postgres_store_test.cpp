// The checkpoint store's contract, checked against both stores (SQLite and PostgreSQL), then what
// only the PostgreSQL store has to get right: several workers creating its table at once, a
// database that goes away and comes back, errors that never show the password, a probe that
// answers in time.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>

#include "coordination/checkpoint_store.hpp"
#include "free_port.hpp"
#include "local_pipe.hpp"
#include "postgres_server.hpp"
#include "process.hpp"

namespace shardpipe::coordination {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::PostgresServer;

const std::string binary = SHARDPIPE_BINARY;

std::string test_name() {
  return ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

// One server for the whole program's contract cases: each case uses pipes of its own.
PostgresServer& shared_server() {
  static PostgresServer server(testing::fresh_test_dir("pg-store-shared"));
  return server;
}

std::string dsn_for(const PostgresServer& server, const std::string& database) {
  return fmt::format("postgresql://postgres@127.0.0.1:{}/{}", server.port(), database);
}

class StoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("store-contract");
    // Test names hold '/' for parameterized cases: keep pipe names plain.
    prefix_ = test_name();
    std::replace(prefix_.begin(), prefix_.end(), '/', '-');
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string url() const {
    if (GetParam() == "sqlite") return "sqlite:" + (dir_ / "state" / "orders.db").string();
    return shared_server().dsn();
  }

  std::unique_ptr<CheckpointStore> open(const std::string& pipe = "orders") {
    auto store = open_checkpoint_store(url(), prefix_ + "-" + pipe);
    EXPECT_TRUE(store) << (store ? "" : store.error().message);
    if (!store) throw std::runtime_error("cannot open the store");
    return std::move(*store);
  }

  fs::path dir_;
  std::string prefix_;
};

TEST_P(StoreContract, KeepsLineageAndASecondInsertChangesNothing) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("shardId-000000000002",
                                  {"shardId-000000000000", "shardId-000000000001"}));
  ASSERT_TRUE(store->ensure_shard("shardId-000000000002", {}));
  auto row = store->get("shardId-000000000002");
  ASSERT_TRUE(row && row->has_value());
  EXPECT_EQ((*row)->parent_shard_ids,
            (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001"}));
  EXPECT_TRUE((*row)->checkpoint.empty());
  EXPECT_TRUE((*row)->owner.empty());
  EXPECT_EQ((*row)->counter, 0);
  EXPECT_FALSE((*row)->pending_reset);
  auto unknown = store->get("nope");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->has_value()) << "an unknown shard is no row, not an error";
}

TEST_P(StoreContract, ListsEveryShardInOrder) {
  auto store = open();
  for (auto id : {"shardId-2", "shardId-10", "shardId-1", "Z", "a"}) {
    ASSERT_TRUE(store->ensure_shard(id, {}));
  }
  std::vector<std::string> ids;
  auto rows = store->list();
  ASSERT_TRUE(rows);
  for (const auto& row : *rows) ids.push_back(row.shard_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"Z", "a", "shardId-1", "shardId-10", "shardId-2"}));
}

TEST_P(StoreContract, PipesAreKeptApart) {
  auto a = open("a");
  auto b = open("b");
  ASSERT_TRUE(a->ensure_shard("s", {}));
  ASSERT_TRUE(b->ensure_shard("s", {"p"}));
  ASSERT_TRUE(*a->try_take("s", "w1", 10s));
  EXPECT_TRUE(*b->try_take("s", "w2", 10s)) << "the same shard id of another pipe is another lease";
  ASSERT_EQ(a->list()->size(), 1u);
  EXPECT_TRUE((*a->list())[0].parent_shard_ids.empty());
  EXPECT_EQ((*b->list())[0].owner, "w2");
}

TEST_P(StoreContract, ALeaseHeldByALiveWorkerCannotBeTaken) {
  auto store = open();
  auto other = open();  // another worker: a connection (or file handle) of its own
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto mine = *store->try_take("s", "w1", 10s);
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->owner, "w1");
  EXPECT_FALSE(*other->try_take("s", "w2", 10s));
  auto again = *store->try_take("s", "w1", 10s);
  ASSERT_TRUE(again) << "a restarted worker with the same id takes its own lease back";
  EXPECT_EQ(again->counter, mine->counter);
  EXPECT_FALSE(*store->try_take("missing", "w1", 10s));
}

TEST_P(StoreContract, RenewExtendsTheLease) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto lease = **store->try_take("s", "w1", 1s);
  auto before = (*store->get("s"))->expires_ms;
  EXPECT_TRUE(*store->renew(lease, 60s));
  auto after = (*store->get("s"))->expires_ms;
  EXPECT_GE(after - before, 55'000);
  std::this_thread::sleep_for(1100ms);
  EXPECT_FALSE(*store->try_take("s", "w2", 10s)) << "the renewal outlives the first expiry";
}

TEST_P(StoreContract, AnExpiredLeaseIsTakenAndTheOldOwnerIsFenced) {
  auto store = open();
  auto other = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto old_owner = **store->try_take("s", "w1", 1ms);
  std::this_thread::sleep_for(20ms);
  auto new_owner = **other->try_take("s", "w2", 10s);
  EXPECT_NE(new_owner.counter, old_owner.counter);
  EXPECT_FALSE(*store->checkpoint(old_owner, "100")) << "fenced: the counter moved on";
  EXPECT_FALSE(*store->renew(old_owner, 10s));
  EXPECT_FALSE(*store->adopt_reset(old_owner));
  ASSERT_TRUE(store->release(old_owner)) << "releasing a lost lease is a no-op";
  EXPECT_EQ((*store->get("s"))->owner, "w2");
  EXPECT_TRUE(*other->checkpoint(new_owner, "200"));
  EXPECT_EQ((*store->get("s"))->checkpoint, "200");
}

TEST_P(StoreContract, ACheckpointWithAStaleCounterIsRefusedEvenForTheSameOwner) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto first = **store->try_take("s", "w1", 10s);
  ASSERT_TRUE(store->release(first));
  auto second = **store->try_take("s", "w1", 10s);
  EXPECT_NE(second.counter, first.counter);
  EXPECT_FALSE(*store->checkpoint(first, "1"));
  EXPECT_TRUE(*store->checkpoint(second, "2"));
  EXPECT_EQ((*store->get("s"))->checkpoint, "2");
}

TEST_P(StoreContract, ReleaseLetsAnotherWorkerTakeAtOnce) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto lease = **store->try_take("s", "w1", 10s);
  ASSERT_TRUE(*store->checkpoint(lease, "5"));
  ASSERT_TRUE(store->release(lease));
  auto row = **store->get("s");
  EXPECT_TRUE(row.owner.empty());
  EXPECT_EQ(row.checkpoint, "5") << "a release keeps the checkpoint";
  EXPECT_TRUE(*store->try_take("s", "w2", 10s));
  EXPECT_FALSE(*store->checkpoint(lease, "1"));
}

TEST_P(StoreContract, AWorkerAsksForALeaseAndItsOwnerHandsItOverFenced) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  ASSERT_TRUE(store->ensure_shard("free", {}));
  EXPECT_FALSE(*store->request_handover("free", "w2")) << "nobody holds it: take it instead";
  auto lease = **store->try_take("s", "w1", 10s);
  EXPECT_FALSE(*store->request_handover("s", "w1")) << "an owner does not ask itself";
  ASSERT_TRUE(*store->request_handover("s", "w2"));
  auto asked = **store->get("s");
  EXPECT_EQ(asked.handover_to, "w2");
  EXPECT_GT(asked.handover_asked_ms, 0);
  EXPECT_EQ(asked.owner, "w1") << "asking takes nothing";
  EXPECT_EQ(asked.counter, lease.counter);

  ASSERT_TRUE(*store->checkpoint(lease, "7"));
  ASSERT_TRUE(store->announce_worker("w2", 10s));
  ASSERT_TRUE(*store->hand_over(lease, "w2", 10s));
  auto handed = **store->get("s");
  EXPECT_EQ(handed.owner, "w2");
  EXPECT_GT(handed.counter, lease.counter);
  EXPECT_TRUE(handed.handover_to.empty());
  EXPECT_EQ(handed.checkpoint, "7");
  // The old owner is fenced: no checkpoint, no renewal, no second hand-over.
  EXPECT_FALSE(*store->checkpoint(lease, "9"));
  EXPECT_FALSE(*store->renew(lease, 10s));
  EXPECT_FALSE(*store->hand_over(lease, "w3", 10s));
  // The new owner takes it up without a new counter, and it is live for another worker.
  auto taken = **store->try_take("s", "w2", 10s);
  EXPECT_EQ(taken.counter, handed.counter);
  EXPECT_FALSE(*store->try_take("s", "w1", 10s));
  EXPECT_TRUE(*store->checkpoint(taken, "9"));
}

// A worker that withdrew is stopping: a lease handed to it would wait for its expiry.
TEST_P(StoreContract, ALeaseIsHandedOverOnlyToAnAnnouncedWorker) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto lease = **store->try_take("s", "w1", 10s);
  auto refused = [&](const std::string& to, const std::string& why) {
    EXPECT_FALSE(*store->hand_over(lease, to, 10s)) << why;
    auto row = **store->get("s");
    EXPECT_EQ(row.owner, "w1") << why;
    EXPECT_EQ(row.counter, lease.counter) << why << ": still ours, not fenced";
  };
  refused("never-announced", "a worker that never announced itself");
  ASSERT_TRUE(store->announce_worker("withdrawn", 10s));
  ASSERT_TRUE(store->withdraw_worker("withdrawn"));
  refused("withdrawn", "a worker that withdrew");
  ASSERT_TRUE(store->announce_worker("run-out", 50ms));
  std::this_thread::sleep_for(200ms);
  refused("run-out", "a worker whose announcement ran out");
  auto other_pipe = open("other");
  ASSERT_TRUE(other_pipe->announce_worker("elsewhere", 10s));
  refused("elsewhere", "a worker of another pipe");

  EXPECT_TRUE(*store->checkpoint(lease, "5"));
  ASSERT_TRUE(store->announce_worker("w2", 10s));
  ASSERT_TRUE(*store->hand_over(lease, "w2", 10s));
  EXPECT_EQ((**store->get("s")).owner, "w2");
}

TEST_P(StoreContract, ANewOwnerOrAReleaseForgetsWhoAskedForTheLease) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto lease = **store->try_take("s", "w1", 10s);
  ASSERT_TRUE(*store->request_handover("s", "w2"));
  ASSERT_TRUE(*store->try_take("s", "w1", 10s)) << "the owner again";
  EXPECT_EQ((**store->get("s")).handover_to, "w2") << "the same owner: the request stands";
  ASSERT_TRUE(store->release(lease));
  EXPECT_TRUE((**store->get("s")).handover_to.empty());

  ASSERT_TRUE(*store->try_take("s", "w3", 50ms));
  ASSERT_TRUE(*store->request_handover("s", "w2"));
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(*store->request_handover("s", "w2")) << "an expired lease is free to take";
  ASSERT_TRUE(*store->try_take("s", "w4", 10s));
  EXPECT_TRUE((**store->get("s")).handover_to.empty()) << "a new owner was never asked";
}

TEST_P(StoreContract, WorkersAnnounceThemselvesUntilTheyWithdrawOrRunOut) {
  auto store = open();
  auto other_pipe = open("other");
  EXPECT_EQ(*store->live_workers(), std::vector<std::string>{});
  ASSERT_TRUE(store->announce_worker("w2", 10s));
  ASSERT_TRUE(store->announce_worker("w1", 10s));
  ASSERT_TRUE(store->announce_worker("w1", 10s)) << "again: renewed";
  ASSERT_TRUE(store->announce_worker("brief", 50ms));
  ASSERT_TRUE(other_pipe->announce_worker("elsewhere", 10s));
  EXPECT_EQ(*store->live_workers(), (std::vector<std::string>{"brief", "w1", "w2"}));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(*store->live_workers(), (std::vector<std::string>{"w1", "w2"}));
  ASSERT_TRUE(store->withdraw_worker("w2"));
  EXPECT_EQ(*store->live_workers(), std::vector<std::string>{"w1"});
  EXPECT_EQ(*other_pipe->live_workers(), std::vector<std::string>{"elsewhere"});
}

TEST_P(StoreContract, AResetOfAnUnownedShardIsAppliedAtOnce) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  EXPECT_EQ(*store->set_checkpoint("s", "TRIM_HORIZON"), SetOutcome::applied);
  auto row = **store->get("s");
  EXPECT_EQ(row.checkpoint, "TRIM_HORIZON");
  EXPECT_FALSE(row.pending_reset);
}

TEST_P(StoreContract, AResetOfAShardWhoseOwnerExpiredIsAppliedAtOnce) {
  auto store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto lease = **store->try_take("s", "w1", 1ms);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(*store->set_checkpoint("s", "LATEST"), SetOutcome::applied);
  EXPECT_EQ((*store->get("s"))->checkpoint, "LATEST");
  EXPECT_FALSE(*store->adopt_reset(lease));
}

TEST_P(StoreContract, AResetOfAnOwnedShardWaitsForTheOwnerAndBlocksStaleCheckpoints) {
  auto store = open();
  auto operator_store = open();
  ASSERT_TRUE(store->ensure_shard("s", {}));
  auto lease = **store->try_take("s", "w1", 10s);
  EXPECT_FALSE(*store->adopt_reset(lease)) << "nothing pending yet";
  ASSERT_TRUE(*store->checkpoint(lease, "50"));
  EXPECT_EQ(*operator_store->set_checkpoint("s", "LATEST"), SetOutcome::pending_owner);
  auto pending = **store->get("s");
  EXPECT_EQ(pending.checkpoint, "50");
  EXPECT_EQ(pending.pending_reset, "LATEST");
  EXPECT_FALSE(*store->checkpoint(lease, "60")) << "in-flight progress must not overwrite a reset";
  auto adopted = *store->adopt_reset(lease);
  ASSERT_TRUE(adopted);
  EXPECT_EQ(*adopted, "LATEST");
  auto row = **store->get("s");
  EXPECT_EQ(row.checkpoint, "LATEST");
  EXPECT_FALSE(row.pending_reset);
  EXPECT_TRUE(*store->checkpoint(lease, "70"));
}

TEST_P(StoreContract, SettingAnUnknownShardFails) {
  auto store = open();
  auto set = store->set_checkpoint("nope", "1");
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().kind, ErrorClass::permanent);
}

TEST_P(StoreContract, ProbeAnswers) {
  auto store = open();
  auto probed = store->probe(500ms);
  EXPECT_TRUE(probed) << probed.error().message;
}

INSTANTIATE_TEST_SUITE_P(BothStores, StoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// Many workers of a brand-new pipe open the store at the same moment: the table is created once
// and nobody fails (a bare CREATE TABLE IF NOT EXISTS can fail on pg_type when two race).
TEST(PostgresStore, ManyThreadsOpeningANewStoreAtOnceAllSucceed) {
  auto& server = shared_server();
  for (int round = 0; round < 5 && !HasFailure(); ++round) {
    auto database = fmt::format("threads_{}", round);
    server.query("CREATE DATABASE " + database);
    std::atomic<bool> go = false;
    std::vector<std::string> errors(8);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < errors.size(); ++i) {
      threads.emplace_back([&, i] {
        while (!go) std::this_thread::yield();
        auto store = open_checkpoint_store(dsn_for(server, database), "p");
        if (!store) {
          errors[i] = store.error().message;
        } else if (auto ok = (*store)->ensure_shard(fmt::format("s{}", i), {}); !ok) {
          errors[i] = ok.error().message;
        }
      });
    }
    go = true;
    for (auto& thread : threads) thread.join();
    for (const auto& error : errors) EXPECT_EQ(error, "") << "round " << round;
    auto store = open_checkpoint_store(dsn_for(server, database), "p");
    ASSERT_TRUE(store);
    EXPECT_EQ((*store)->list()->size(), errors.size());
  }
}

// A table made before balancing existed gains the hand-over columns, and keeps its rows.
TEST(PostgresStore, AnOlderTableGainsTheHandOverColumns) {
  auto& server = shared_server();
  server.query("CREATE DATABASE older_table");
  auto url = dsn_for(server, "older_table");
  {
    auto store = open_checkpoint_store(url, "p");
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->ensure_shard("s", {}));
  }
  {
    std::unique_ptr<PGconn, decltype(&PQfinish)> db(PQconnectdb(url.c_str()), &PQfinish);
    std::unique_ptr<PGresult, decltype(&PQclear)> dropped(
        PQexec(db.get(),
               "ALTER TABLE shardpipe_leases DROP COLUMN handover_to, "
               "DROP COLUMN handover_asked_ms"),
        &PQclear);
    ASSERT_EQ(PQresultStatus(dropped.get()), PGRES_COMMAND_OK) << PQerrorMessage(db.get());
  }
  auto store = open_checkpoint_store(url, "p");
  ASSERT_TRUE(store) << store.error().message;
  auto lease = **(*store)->try_take("s", "w1", 10s);
  EXPECT_TRUE(*(*store)->request_handover("s", "w2"));
  ASSERT_TRUE((*store)->announce_worker("w2", 10s));
  EXPECT_TRUE(*(*store)->hand_over(lease, "w2", 10s));
  EXPECT_EQ((**(*store)->get("s")).owner, "w2");
}

// Two workers stopping at once: one hands a lease to the other while it withdraws. Either the
// hand-over lands before the withdrawal returns (and the withdrawing worker's next reading shows
// the lease as its own, to release), or it is refused. Here the hand-over is held up by a lock
// on the lease row until the withdrawal has had its chance to finish first.
TEST(PostgresStore, AHandOverAndTheRecipientsWithdrawalAreOrdered) {
  auto& server = shared_server();
  const std::string pipe = "ordered-withdrawal";
  auto opened_giver = open_checkpoint_store(server.dsn(), pipe);
  auto opened_recipient = open_checkpoint_store(server.dsn(), pipe);
  ASSERT_TRUE(opened_giver && opened_recipient);
  auto& giver = *opened_giver;
  auto& recipient = *opened_recipient;
  ASSERT_TRUE(giver->ensure_shard("s", {}));
  ASSERT_TRUE(recipient->announce_worker("w2", 10s));
  auto lease = **giver->try_take("s", "w1", 10s);

  std::unique_ptr<PGconn, decltype(&PQfinish)> blocker(PQconnectdb(server.dsn().c_str()),
                                                       &PQfinish);
  auto exec = [&](const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(blocker.get(), sql.c_str()),
                                                         &PQclear);
    auto status = PQresultStatus(result.get());
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        << sql << ": " << PQerrorMessage(blocker.get());
  };
  exec("BEGIN");
  exec("SELECT 1 FROM shardpipe_leases WHERE pipe = '" + pipe + "' AND shard_id = 's' FOR UPDATE");

  std::optional<bool> handed;
  std::thread hand_over([&] { handed = *giver->hand_over(lease, "w2", 10s); });
  std::this_thread::sleep_for(300ms);
  std::optional<std::string> owner_after_withdrawal;
  std::thread withdraw([&] {
    ASSERT_TRUE(recipient->withdraw_worker("w2"));
    owner_after_withdrawal = (**recipient->get("s")).owner;
  });
  std::this_thread::sleep_for(300ms);
  exec("COMMIT");
  hand_over.join();
  withdraw.join();
  ASSERT_TRUE(handed.has_value());
  ASSERT_TRUE(owner_after_withdrawal.has_value());
  EXPECT_EQ(*handed, *owner_after_withdrawal == "w2")
      << "handed over: " << *handed
      << "; owner seen after the withdrawal: " << *owner_after_withdrawal;
  EXPECT_EQ((**giver->get("s")).owner, *handed ? "w2" : "w1");
}

TEST(PostgresStore, ManyProcessesOpeningANewStoreAtOnceAllSucceed) {
  auto& server = shared_server();
  auto dir = testing::fresh_test_dir("pg-store-processes");
  testing::create_log(binary, dir / "log", 2);
  for (int round = 0; round < 3 && !HasFailure(); ++round) {
    auto database = fmt::format("processes_{}", round);
    server.query("CREATE DATABASE " + database);
    auto pipe = dir / fmt::format("pipe-{}.yaml", round);
    testing::write_file(pipe, fmt::format(R"(name: racing
source: {{type: local, path: ./log}}
target: {{type: stdout}}
checkpoint: {{store: "{}"}}
)",
                                          dsn_for(server, database)));
    std::vector<pid_t> pids;
    for (int i = 0; i < 6; ++i) {
      pids.push_back(testing::spawn_process({binary, "checkpoint", "list", pipe.string()},
                                            dir / fmt::format("round-{}-{}.log", round, i)));
    }
    for (size_t i = 0; i < pids.size(); ++i) {
      EXPECT_EQ(testing::wait_process(pids[i]), 0)
          << testing::read_file(dir / fmt::format("round-{}-{}.log", round, i));
    }
  }
  if (!HasFailure()) fs::remove_all(dir);
}

// The database stops and starts again under an open store: calls fail retriably while it is down
// and work again afterwards, with the same store object and the same leases.
TEST(PostgresStore, CallsFailRetriablyWhileTheDatabaseIsDownAndWorkAgainAfter) {
  auto dir = testing::fresh_test_dir("pg-store-restart");
  PostgresServer server(dir);
  auto opened = open_checkpoint_store(server.dsn(), "restart");
  ASSERT_TRUE(opened) << opened.error().message;
  auto& store = **opened;
  ASSERT_TRUE(store.ensure_shard("s", {}));
  auto lease = **store.try_take("s", "w1", 120s);
  ASSERT_TRUE(*store.checkpoint(lease, "1"));

  server.stop();
  for (int call = 0; call < 3; ++call) {
    auto written = store.checkpoint(lease, "2");
    ASSERT_FALSE(written) << "call " << call;
    EXPECT_TRUE(written.error().is_retriable()) << written.error().message;
    EXPECT_NE(written.error().message.find("checkpoint store postgresql://postgres@127.0.0.1"),
              std::string::npos)
        << written.error().message;
  }
  auto listed = store.list();
  ASSERT_FALSE(listed);
  EXPECT_TRUE(listed.error().is_retriable());
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(store.probe(500ms));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);

  server.start();
  EXPECT_TRUE(testing::wait_until([&] { return store.get("s").has_value(); }, 10s));
  auto written = store.checkpoint(lease, "3");
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_TRUE(*written) << "the lease outlived the restart";
  EXPECT_TRUE(*store.renew(lease, 10s));
  EXPECT_EQ((*store.get("s"))->checkpoint, "3");
  EXPECT_TRUE(store.probe(500ms));
}

constexpr const char* password = "hunter2-Secret";

TEST(PostgresStore, AnUnreachableServerAtOpenIsAFatalErrorWithoutThePassword) {
  int port = testing::unused_port();
  auto url = fmt::format("postgresql://app:{}@127.0.0.1:{}/shop", password, port);
  auto store = open_checkpoint_store(url, "p");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorClass::fatal);
  const auto& message = store.error().message;
  EXPECT_NE(message.find(fmt::format("postgresql://app@127.0.0.1:{}/shop", port)),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("cannot connect"), std::string::npos) << message;
  EXPECT_EQ(message.find(password), std::string::npos) << message;

  auto in_query = open_checkpoint_store(
      fmt::format("postgres://app@127.0.0.1:{}/shop?password={}", port, password), "p");
  ASSERT_FALSE(in_query);
  EXPECT_EQ(in_query.error().message.find(password), std::string::npos) << in_query.error().message;
}

TEST(PostgresStore, BadCredentialsAtOpenAreAFatalErrorWithoutThePassword) {
  auto& server = shared_server();
  auto hba = server.data_dir() / "pg_hba.conf";
  testing::write_file(hba, "host all app 127.0.0.1/32 scram-sha-256\n" + testing::read_file(hba));
  server.query("CREATE ROLE app LOGIN PASSWORD 'the-right-one'");
  server.query("SELECT pg_reload_conf()");
  auto store = open_checkpoint_store(
      fmt::format("postgresql://app:{}@127.0.0.1:{}/postgres", password, server.port()), "p");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorClass::fatal);
  const auto& message = store.error().message;
  EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
  EXPECT_NE(message.find(fmt::format("postgresql://app@127.0.0.1:{}/postgres", server.port())),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find(password), std::string::npos) << message;
}

// A server that accepts connections and never answers (here: its postmaster stopped with
// SIGSTOP, so the kernel still accepts connections): the probe must fail within about its budget,
// so /healthz never hangs, and succeed again once the server goes on.
TEST(PostgresStore, TheProbeAnswersInTimeWhenTheServerHangs) {
  auto dir = testing::fresh_test_dir("pg-store-hang");
  PostgresServer server(dir);
  auto opened = open_checkpoint_store(server.dsn(), "probe");
  ASSERT_TRUE(opened) << opened.error().message;
  auto pid_text = testing::read_file(server.data_dir() / "postmaster.pid");
  pid_t postmaster = std::stoi(pid_text.substr(0, pid_text.find('\n')));
  ASSERT_EQ(::kill(postmaster, SIGSTOP), 0);
  auto started = std::chrono::steady_clock::now();
  auto probed = (*opened)->probe(300ms);
  auto took = std::chrono::steady_clock::now() - started;
  ::kill(postmaster, SIGCONT);
  ASSERT_FALSE(probed);
  EXPECT_TRUE(probed.error().is_retriable());
  EXPECT_NE(probed.error().message.find("no answer within 300 ms"), std::string::npos)
      << probed.error().message;
  EXPECT_LT(took, 1s);
  auto again = (*opened)->probe(2s);
  EXPECT_TRUE(again) << again.error().message;
}

}  // namespace
}  // namespace shardpipe::coordination
