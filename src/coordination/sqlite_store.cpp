#include "coordination/sqlite_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "coordination/parent_list.hpp"

namespace shardpipe::coordination {
namespace {

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS leases (
  pipe             TEXT    NOT NULL,
  shard_id         TEXT    NOT NULL,
  owner            TEXT    NOT NULL DEFAULT '',
  lease_counter    INTEGER NOT NULL DEFAULT 0,
  lease_expires_ms INTEGER NOT NULL DEFAULT 0,
  checkpoint       TEXT    NOT NULL DEFAULT '',
  parent_shard_ids TEXT    NOT NULL DEFAULT '',
  pending_reset    TEXT,
  updated_ms       INTEGER NOT NULL DEFAULT 0,
  handover_to      TEXT    NOT NULL DEFAULT '',
  handover_asked_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (pipe, shard_id)
);
CREATE TABLE IF NOT EXISTS workers (
  pipe       TEXT    NOT NULL,
  worker     TEXT    NOT NULL,
  expires_ms INTEGER NOT NULL,
  PRIMARY KEY (pipe, worker)
);
)sql";

// Stores made before balancing lack the hand-over columns.
constexpr const char* add_handover_columns =
    "BEGIN IMMEDIATE; "
    "ALTER TABLE leases ADD COLUMN handover_to TEXT NOT NULL DEFAULT ''; "
    "ALTER TABLE leases ADD COLUMN handover_asked_ms INTEGER NOT NULL DEFAULT 0; "
    "COMMIT;";

// One prepared statement; binds by position, steps, and resets itself when it goes away.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Statement& bind(int index, const std::string& value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  int step() { return sqlite3_step(stmt_); }
  std::string text(int column) const {
    auto* value = sqlite3_column_text(stmt_, column);
    return value ? std::string(reinterpret_cast<const char*>(value)) : std::string();
  }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteStore final : public CheckpointStore {
 public:
  SqliteStore(sqlite3* db, std::string pipe, std::filesystem::path file)
      : db_(db), pipe_(std::move(pipe)), file_(std::move(file)) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  Status ensure_shard(const std::string& shard_id,
                      const std::vector<std::string>& parents) override {
    std::lock_guard lock(mutex_);
    Statement stmt(
        db_,
        "INSERT INTO leases (pipe, shard_id, parent_shard_ids, updated_ms) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (pipe, shard_id) DO NOTHING");
    if (!stmt.ok()) return fail(error("preparing insert"));
    stmt.bind(1, pipe_).bind(2, shard_id).bind(3, join_parent_ids(parents)).bind(4, unix_now_ms());
    if (stmt.step() != SQLITE_DONE) return fail(error("inserting a shard"));
    return {};
  }

  Result<std::vector<LeaseRow>> list() override {
    std::lock_guard lock(mutex_);
    Statement stmt(db_, select_sql("ORDER BY shard_id").c_str());
    if (!stmt.ok()) return fail(error("preparing select"));
    stmt.bind(1, pipe_);
    std::vector<LeaseRow> rows;
    int rc;
    while ((rc = stmt.step()) == SQLITE_ROW) rows.push_back(read_row(stmt));
    if (rc != SQLITE_DONE) return fail(error("listing leases"));
    return rows;
  }

  Result<std::optional<LeaseRow>> get(const std::string& shard_id) override {
    std::lock_guard lock(mutex_);
    return get_locked(shard_id);
  }

  Result<std::optional<Lease>> try_take(const std::string& shard_id, const std::string& owner,
                                        std::chrono::milliseconds duration) override {
    std::lock_guard lock(mutex_);
    int64_t now = unix_now_ms();
    Statement stmt(
        db_,
        "UPDATE leases SET owner = ?1, lease_expires_ms = ?2, updated_ms = ?3, "
        "lease_counter = lease_counter + (owner <> ?1), "
        "handover_to = CASE WHEN owner <> ?1 THEN '' ELSE handover_to END "
        "WHERE pipe = ?4 AND shard_id = ?5 AND (owner = '' OR owner = ?1 OR lease_expires_ms < ?3) "
        "RETURNING lease_counter");
    if (!stmt.ok()) return fail(error("preparing take"));
    stmt.bind(1, owner)
        .bind(2, now + duration.count())
        .bind(3, now)
        .bind(4, pipe_)
        .bind(5, shard_id);
    int rc = stmt.step();
    if (rc == SQLITE_ROW) return std::optional<Lease>(Lease{shard_id, owner, stmt.integer(0)});
    if (rc == SQLITE_DONE) return std::optional<Lease>();
    return fail(error("taking a lease"));
  }

  Result<bool> renew(const Lease& lease, std::chrono::milliseconds duration) override {
    std::lock_guard lock(mutex_);
    int64_t now = unix_now_ms();
    Statement stmt(db_,
                   "UPDATE leases SET lease_expires_ms = ?, updated_ms = ? "
                   "WHERE pipe = ? AND shard_id = ? AND owner = ? AND lease_counter = ?");
    if (!stmt.ok()) return fail(error("preparing renew"));
    stmt.bind(1, now + duration.count())
        .bind(2, now)
        .bind(3, pipe_)
        .bind(4, lease.shard_id)
        .bind(5, lease.owner)
        .bind(6, lease.counter);
    if (stmt.step() != SQLITE_DONE) return fail(error("renewing a lease"));
    return sqlite3_changes(db_) == 1;
  }

  Result<bool> checkpoint(const Lease& lease, const std::string& value) override {
    std::lock_guard lock(mutex_);
    // A pending reset wins over in-flight progress: the owner adopts it instead.
    Statement stmt(db_,
                   "UPDATE leases SET checkpoint = ?, updated_ms = ? "
                   "WHERE pipe = ? AND shard_id = ? AND owner = ? AND lease_counter = ? "
                   "AND pending_reset IS NULL");
    if (!stmt.ok()) return fail(error("preparing checkpoint"));
    stmt.bind(1, value)
        .bind(2, unix_now_ms())
        .bind(3, pipe_)
        .bind(4, lease.shard_id)
        .bind(5, lease.owner)
        .bind(6, lease.counter);
    if (stmt.step() != SQLITE_DONE) return fail(error("writing a checkpoint"));
    return sqlite3_changes(db_) == 1;
  }

  Status release(const Lease& lease) override {
    std::lock_guard lock(mutex_);
    Statement stmt(
        db_,
        "UPDATE leases SET owner = '', lease_expires_ms = 0, lease_counter = lease_counter + 1, "
        "handover_to = '', updated_ms = ? WHERE pipe = ? AND shard_id = ? AND owner = ? AND "
        "lease_counter = ?");
    if (!stmt.ok()) return fail(error("preparing release"));
    stmt.bind(1, unix_now_ms())
        .bind(2, pipe_)
        .bind(3, lease.shard_id)
        .bind(4, lease.owner)
        .bind(5, lease.counter);
    if (stmt.step() != SQLITE_DONE) return fail(error("releasing a lease"));
    return {};
  }

  Result<bool> request_handover(const std::string& shard_id,
                                const std::string& requester) override {
    std::lock_guard lock(mutex_);
    int64_t now = unix_now_ms();
    Statement stmt(db_,
                   "UPDATE leases SET handover_to = ?1, handover_asked_ms = ?2 WHERE pipe = ?3 AND "
                   "shard_id = ?4 AND owner <> '' AND owner <> ?1 AND lease_expires_ms >= ?2");
    if (!stmt.ok()) return fail(error("preparing a hand-over request"));
    stmt.bind(1, requester).bind(2, now).bind(3, pipe_).bind(4, shard_id);
    if (stmt.step() != SQLITE_DONE) return fail(error("asking for a lease"));
    return sqlite3_changes(db_) == 1;
  }

  Result<bool> hand_over(const Lease& lease, const std::string& to,
                         std::chrono::milliseconds duration) override {
    std::lock_guard lock(mutex_);
    int64_t now = unix_now_ms();
    Statement stmt(db_,
                   "UPDATE leases SET owner = ?1, lease_counter = lease_counter + 1, "
                   "lease_expires_ms = ?2, handover_to = '', updated_ms = ?3 "
                   "WHERE pipe = ?4 AND shard_id = ?5 AND owner = ?6 AND lease_counter = ?7 "
                   "AND EXISTS (SELECT 1 FROM workers WHERE pipe = ?4 AND worker = ?1 "
                   "AND expires_ms >= ?3)");
    if (!stmt.ok()) return fail(error("preparing a hand-over"));
    stmt.bind(1, to)
        .bind(2, now + duration.count())
        .bind(3, now)
        .bind(4, pipe_)
        .bind(5, lease.shard_id)
        .bind(6, lease.owner)
        .bind(7, lease.counter);
    if (stmt.step() != SQLITE_DONE) return fail(error("handing a lease over"));
    return sqlite3_changes(db_) == 1;
  }

  Status announce_worker(const std::string& worker, std::chrono::milliseconds duration) override {
    std::lock_guard lock(mutex_);
    int64_t now = unix_now_ms();
    Statement stmt(db_,
                   "INSERT INTO workers (pipe, worker, expires_ms) VALUES (?1, ?2, ?3) "
                   "ON CONFLICT (pipe, worker) DO UPDATE SET expires_ms = ?3");
    if (!stmt.ok()) return fail(error("preparing an announcement"));
    stmt.bind(1, pipe_).bind(2, worker).bind(3, now + duration.count());
    if (stmt.step() != SQLITE_DONE) return fail(error("announcing a worker"));
    // Workers that stopped without withdrawing (killed) are forgotten an hour later.
    Statement forget(db_, "DELETE FROM workers WHERE pipe = ? AND expires_ms < ?");
    if (!forget.ok()) return fail(error("preparing a clean-up"));
    forget.bind(1, pipe_).bind(2, now - 3'600'000);
    if (forget.step() != SQLITE_DONE) return fail(error("forgetting old workers"));
    return {};
  }

  Status withdraw_worker(const std::string& worker) override {
    std::lock_guard lock(mutex_);
    Statement stmt(db_, "DELETE FROM workers WHERE pipe = ? AND worker = ?");
    if (!stmt.ok()) return fail(error("preparing a withdrawal"));
    stmt.bind(1, pipe_).bind(2, worker);
    if (stmt.step() != SQLITE_DONE) return fail(error("withdrawing a worker"));
    return {};
  }

  Result<std::vector<std::string>> live_workers() override {
    std::lock_guard lock(mutex_);
    Statement stmt(db_,
                   "SELECT worker FROM workers WHERE pipe = ? AND expires_ms >= ? ORDER BY worker");
    if (!stmt.ok()) return fail(error("preparing a worker list"));
    stmt.bind(1, pipe_).bind(2, unix_now_ms());
    std::vector<std::string> workers;
    int rc;
    while ((rc = stmt.step()) == SQLITE_ROW) workers.push_back(stmt.text(0));
    if (rc != SQLITE_DONE) return fail(error("listing workers"));
    return workers;
  }

  Result<SetOutcome> set_checkpoint(const std::string& shard_id,
                                    const std::string& value) override {
    std::lock_guard lock(mutex_);
    int64_t now = unix_now_ms();
    Statement direct(db_,
                     "UPDATE leases SET checkpoint = ?1, pending_reset = NULL, updated_ms = ?2 "
                     "WHERE pipe = ?3 AND shard_id = ?4 AND (owner = '' OR lease_expires_ms < ?2)");
    if (!direct.ok()) return fail(error("preparing checkpoint set"));
    direct.bind(1, value).bind(2, now).bind(3, pipe_).bind(4, shard_id);
    if (direct.step() != SQLITE_DONE) return fail(error("setting a checkpoint"));
    if (sqlite3_changes(db_) == 1) return SetOutcome::applied;
    Statement pending(
        db_, "UPDATE leases SET pending_reset = ?, updated_ms = ? WHERE pipe = ? AND shard_id = ?");
    if (!pending.ok()) return fail(error("preparing checkpoint set"));
    pending.bind(1, value).bind(2, now).bind(3, pipe_).bind(4, shard_id);
    if (pending.step() != SQLITE_DONE) return fail(error("setting a checkpoint"));
    if (sqlite3_changes(db_) != 1) {
      return fail(Error::permanent(fmt::format("no shard '{}' in pipe '{}'", shard_id, pipe_)));
    }
    return SetOutcome::pending_owner;
  }

  Result<std::optional<std::string>> adopt_reset(const Lease& lease) override {
    std::lock_guard lock(mutex_);
    Statement stmt(
        db_,
        "UPDATE leases SET checkpoint = pending_reset, pending_reset = NULL, updated_ms = ? "
        "WHERE pipe = ? AND shard_id = ? AND owner = ? AND lease_counter = ? "
        "AND pending_reset IS NOT NULL RETURNING checkpoint");
    if (!stmt.ok()) return fail(error("preparing reset adoption"));
    stmt.bind(1, unix_now_ms())
        .bind(2, pipe_)
        .bind(3, lease.shard_id)
        .bind(4, lease.owner)
        .bind(5, lease.counter);
    int rc = stmt.step();
    if (rc == SQLITE_ROW) return std::optional<std::string>(stmt.text(0));
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return fail(error("adopting a reset"));
  }

  // On a connection of its own, with a short busy timeout: not queued behind this store's mutex
  // or its 10 s busy waits, and it sees a write lock held elsewhere (BEGIN EXCLUSIVE in another
  // process), which in WAL mode does not stop reads such as list().
  Status probe(std::chrono::milliseconds within) override {
    sqlite3* db = nullptr;
    int rc =
        sqlite3_open_v2(file_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    std::string problem;
    if (rc == SQLITE_OK) {
      sqlite3_busy_timeout(db, static_cast<int>(within.count()));
      char* message = nullptr;
      rc = sqlite3_exec(db, "BEGIN IMMEDIATE; SELECT count(*) FROM leases; ROLLBACK;", nullptr,
                        nullptr, &message);
      if (rc != SQLITE_OK) problem = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
    } else {
      problem = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    }
    sqlite3_close_v2(db);  // rolls back whatever the probe began
    if (problem.empty()) return {};
    return fail(Error::retriable(fmt::format("checkpoint store {}: {}", file_.string(), problem)));
  }

  Status initialize() {
    // Several processes may open a new store at once; switching to WAL and creating the schema
    // can answer SQLITE_BUSY without waiting on the busy handler, so retry for a while.
    std::string setup = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;") + schema;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (true) {
      char* message = nullptr;
      int rc = sqlite3_exec(db_, setup.c_str(), nullptr, nullptr, &message);
      std::string text = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      if (rc == SQLITE_OK) rc = add_missing_columns(text);
      if (rc == SQLITE_OK) return {};
      bool busy = (rc & 0xFF) == SQLITE_BUSY || (rc & 0xFF) == SQLITE_LOCKED;
      if (!busy || std::chrono::steady_clock::now() > deadline) {
        return fail(Error::fatal(fmt::format("checkpoint store {}: {}", file_.string(), text)));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  // SQLITE_OK, or an error code with `text` set.
  int add_missing_columns(std::string& text) {
    Statement columns(db_,
                      "SELECT 1 FROM pragma_table_info('leases') WHERE name = 'handover_asked_ms'");
    if (!columns.ok()) {
      text = sqlite3_errmsg(db_);
      return sqlite3_errcode(db_);
    }
    int rc = columns.step();
    if (rc == SQLITE_ROW) return SQLITE_OK;
    if (rc != SQLITE_DONE) {
      text = sqlite3_errmsg(db_);
      return rc;
    }
    char* message = nullptr;
    rc = sqlite3_exec(db_, add_handover_columns, nullptr, nullptr, &message);
    text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    if (rc != SQLITE_OK) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    // Another process added them first.
    if (rc == SQLITE_ERROR && text.find("duplicate column") != std::string::npos) return SQLITE_OK;
    return rc;
  }

  static std::string select_sql(const std::string& tail) {
    return "SELECT shard_id, owner, lease_counter, lease_expires_ms, checkpoint, parent_shard_ids, "
           "pending_reset, updated_ms, handover_to, handover_asked_ms FROM leases WHERE pipe = ? " +
           tail;
  }

  static LeaseRow read_row(const Statement& stmt) {
    LeaseRow row;
    row.shard_id = stmt.text(0);
    row.owner = stmt.text(1);
    row.counter = stmt.integer(2);
    row.expires_ms = stmt.integer(3);
    row.checkpoint = stmt.text(4);
    row.parent_shard_ids = split_parent_ids(stmt.text(5));
    if (!stmt.is_null(6)) row.pending_reset = stmt.text(6);
    row.updated_ms = stmt.integer(7);
    row.handover_to = stmt.text(8);
    row.handover_asked_ms = stmt.integer(9);
    return row;
  }

  Result<std::optional<LeaseRow>> get_locked(const std::string& shard_id) {
    Statement stmt(db_, select_sql("AND shard_id = ?").c_str());
    if (!stmt.ok()) return fail(error("preparing select"));
    stmt.bind(1, pipe_).bind(2, shard_id);
    int rc = stmt.step();
    if (rc == SQLITE_ROW) return std::optional<LeaseRow>(read_row(stmt));
    if (rc == SQLITE_DONE) return std::optional<LeaseRow>();
    return fail(error("reading a lease"));
  }

  // SQLITE_BUSY and I/O errors can pass; everything is retried by the caller with backoff.
  Error error(const std::string& what) const {
    return Error::retriable(
        fmt::format("checkpoint store {}: {}: {}", file_.string(), what, sqlite3_errmsg(db_)));
  }

  std::mutex mutex_;
  sqlite3* db_;
  std::string pipe_;
  std::filesystem::path file_;
};

}  // namespace

Result<std::unique_ptr<CheckpointStore>> open_sqlite_store(const std::filesystem::path& file,
                                                           const std::string& pipe) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) {
    return fail(Error::fatal(fmt::format("creating the folder of the checkpoint store {}: {}",
                                         file.string(), ec.message())));
  }
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(file.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return fail(
        Error::fatal(fmt::format("opening the checkpoint store {}: {}", file.string(), message)));
  }
  sqlite3_busy_timeout(db, 10000);
  auto store = std::make_unique<SqliteStore>(db, pipe, file);
  if (auto ok = store->initialize(); !ok) return fail(ok.error());
  return std::unique_ptr<CheckpointStore>(std::move(store));
}

}  // namespace shardpipe::coordination
