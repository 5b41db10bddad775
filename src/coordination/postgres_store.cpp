#include "coordination/postgres_store.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "coordination/parent_list.hpp"

namespace shardpipe::coordination {
namespace {

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Answer = std::unique_ptr<PGresult, decltype(&PQclear)>;
using steady = std::chrono::steady_clock;

// Same columns as the SQLite store's table, keyed by pipe + shard id.
constexpr const char* create_sql = R"sql(
BEGIN;
-- CREATE TABLE IF NOT EXISTS alone can fail with a unique violation on pg_type when two sessions
-- create the same new table at once: serialize the creators (the lock ends with the transaction).
SELECT pg_advisory_xact_lock(7165329014711021865);
CREATE TABLE IF NOT EXISTS shardpipe_leases (
  pipe             text   NOT NULL,
  shard_id         text   NOT NULL,
  owner            text   NOT NULL DEFAULT '',
  lease_counter    bigint NOT NULL DEFAULT 0,
  lease_expires_ms bigint NOT NULL DEFAULT 0,
  checkpoint       text   NOT NULL DEFAULT '',
  parent_shard_ids text   NOT NULL DEFAULT '',
  pending_reset    text,
  updated_ms       bigint NOT NULL DEFAULT 0,
  handover_to      text   NOT NULL DEFAULT '',
  handover_asked_ms bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (pipe, shard_id)
);
COMMIT;
)sql";

// Workers announce themselves here (see CheckpointStore::announce_worker).
constexpr const char* create_workers_sql = R"sql(
BEGIN;
SELECT pg_advisory_xact_lock(7165329014711021865);
CREATE TABLE IF NOT EXISTS shardpipe_workers (
  pipe       text   NOT NULL,
  worker     text   NOT NULL,
  expires_ms bigint NOT NULL,
  PRIMARY KEY (pipe, worker)
);
COMMIT;
)sql";

// Tables made before balancing lack the hand-over columns (needs the table's owner).
constexpr const char* add_handover_columns = R"sql(
BEGIN;
SELECT pg_advisory_xact_lock(7165329014711021865);
ALTER TABLE shardpipe_leases ADD COLUMN IF NOT EXISTS handover_to text NOT NULL DEFAULT '';
ALTER TABLE shardpipe_leases ADD COLUMN IF NOT EXISTS handover_asked_ms bigint NOT NULL DEFAULT 0;
COMMIT;
)sql";

// Lease times come from the database server's clock, never the worker's: workers on several
// machines then agree on when a lease expires however far their own clocks drift. One reading
// per statement (in its FROM list), so the expiry test and the new expiry use the same instant.
#define SERVER_NOW \
  "(SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms) AS clock"

constexpr const char* select_columns =
    "SELECT shard_id, owner, lease_counter, lease_expires_ms, checkpoint, parent_shard_ids, "
    "pending_reset, updated_ms, handover_to, handover_asked_ms FROM shardpipe_leases WHERE pipe = "
    "$1 ";

// A statement that waits on a row lock longer than this fails (retriable) instead of hanging.
constexpr int statement_timeout_ms = 10000;

int64_t to_int(const char* text) {
  int64_t value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void replace_all(std::string& text, const std::string& what, std::string_view with) {
  if (what.empty()) return;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

// Where the password of a URL's user info is (postgresql://user:PASSWORD@host/...): the offset of
// its ':' and its length with it, or nothing.
std::optional<std::pair<size_t, size_t>> user_info_password(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  auto start = scheme_end + 3;
  auto authority_end = std::min(url.find_first_of("/?", start), url.size());
  auto at = url.rfind('@', authority_end);
  if (at == std::string::npos || at < start) return std::nullopt;
  auto colon = url.find(':', start);
  if (colon >= at) return std::nullopt;
  return std::pair(colon, at - colon);
}

// Our defaults come first: whatever the URL sets (it is expanded from `dbname`) overrides them.
// Keepalives and tcp_user_timeout turn a server that vanished from the network into an error
// instead of a call that never returns.
Connection start_connection(const std::string& url, bool blocking) {
  const char* keys[] = {"connect_timeout",
                        "application_name",
                        "keepalives",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "tcp_user_timeout",
                        "dbname",
                        nullptr};
  const char* values[] = {"10", "shardpipe", "1", "10", "5", "3", "20000", url.c_str(), nullptr};
  Connection connection(
      blocking ? PQconnectdbParams(keys, values, 1) : PQconnectStartParams(keys, values, 1),
      &PQfinish);
  // Notices (such as "relation already exists, skipping") are not for the operator's log.
  if (connection)
    PQsetNoticeProcessor(
        connection.get(), [](void*, const char*) {}, nullptr);
  return connection;
}

// Waits until `conn`'s socket can be read (or written), up to `deadline`.
bool wait_socket(PGconn* conn, bool for_write, steady::time_point deadline) {
  while (true) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    if (left <= 0) return false;
    pollfd fd{PQsocket(conn), static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    int ready = ::poll(&fd, 1, static_cast<int>(left));
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

class PostgresStore final : public CheckpointStore {
 public:
  PostgresStore(std::string url, std::string pipe) : url_(std::move(url)), pipe_(std::move(pipe)) {
    shown_url_ = redact_postgres_url(url_);
    // The password as written and as libpq decodes it: neither may appear in a message.
    char* ignored = nullptr;
    if (PQconninfoOption* options = PQconninfoParse(url_.c_str(), &ignored)) {
      for (auto* option = options; option->keyword; ++option) {
        if (std::string_view(option->keyword) == "password" && option->val && *option->val) {
          secrets_.emplace_back(option->val);
        }
      }
      PQconninfoFree(options);
    }
    PQfreemem(ignored);
    if (auto password = user_info_password(url_)) {
      secrets_.push_back(url_.substr(password->first + 1, password->second - 1));
    }
  }

  Status ensure_shard(const std::string& shard_id,
                      const std::vector<std::string>& parents) override {
    std::lock_guard lock(mutex_);
    auto done =
        run("inserting a shard",
            "INSERT INTO shardpipe_leases (pipe, shard_id, parent_shard_ids, updated_ms) "
            "SELECT $1, $2, $3, now_ms FROM " SERVER_NOW " ON CONFLICT (pipe, shard_id) DO NOTHING",
            {pipe_, shard_id, join_parent_ids(parents)});
    if (!done) return fail(done.error());
    return {};
  }

  Result<std::vector<LeaseRow>> list() override {
    std::lock_guard lock(mutex_);
    // COLLATE "C": byte order, as SQLite sorts, whatever the database's collation.
    auto answer = run("listing leases",
                      std::string(select_columns) + "ORDER BY shard_id COLLATE \"C\"", {pipe_});
    if (!answer) return fail(answer.error());
    std::vector<LeaseRow> rows;
    for (int i = 0; i < PQntuples(answer->get()); ++i) rows.push_back(read_row(answer->get(), i));
    return rows;
  }

  Result<std::optional<LeaseRow>> get(const std::string& shard_id) override {
    std::lock_guard lock(mutex_);
    auto answer = run("reading a lease", std::string(select_columns) + "AND shard_id = $2",
                      {pipe_, shard_id});
    if (!answer) return fail(answer.error());
    if (PQntuples(answer->get()) == 0) return std::optional<LeaseRow>();
    return std::optional<LeaseRow>(read_row(answer->get(), 0));
  }

  Result<std::optional<Lease>> try_take(const std::string& shard_id, const std::string& owner,
                                        std::chrono::milliseconds duration) override {
    std::lock_guard lock(mutex_);
    auto answer = run(
        "taking a lease",
        "UPDATE shardpipe_leases SET owner = $1, lease_expires_ms = now_ms + $2::bigint, "
        "updated_ms = now_ms, lease_counter = lease_counter + CASE WHEN owner <> $1 THEN 1 ELSE 0 "
        "END, handover_to = CASE WHEN owner <> $1 THEN '' ELSE handover_to END FROM " SERVER_NOW
        " WHERE pipe = $3 AND shard_id = $4 AND (owner = '' OR owner = $1 OR lease_expires_ms < "
        "now_ms) RETURNING lease_counter",
        {owner, std::to_string(duration.count()), pipe_, shard_id});
    if (!answer) return fail(answer.error());
    if (PQntuples(answer->get()) == 0) return std::optional<Lease>();
    return std::optional<Lease>(Lease{shard_id, owner, to_int(PQgetvalue(answer->get(), 0, 0))});
  }

  Result<bool> renew(const Lease& lease, std::chrono::milliseconds duration) override {
    std::lock_guard lock(mutex_);
    return changed_one(
        "renewing a lease",
        "UPDATE shardpipe_leases SET lease_expires_ms = now_ms + $1::bigint, updated_ms = now_ms "
        "FROM " SERVER_NOW
        " WHERE pipe = $2 AND shard_id = $3 AND owner = $4 AND lease_counter = $5::bigint",
        {std::to_string(duration.count()), pipe_, lease.shard_id, lease.owner,
         std::to_string(lease.counter)});
  }

  Result<bool> checkpoint(const Lease& lease, const std::string& value) override {
    std::lock_guard lock(mutex_);
    // A pending reset wins over in-flight progress: the owner adopts it instead.
    return changed_one(
        "writing a checkpoint",
        "UPDATE shardpipe_leases SET checkpoint = $1, updated_ms = now_ms FROM " SERVER_NOW
        " WHERE pipe = $2 AND shard_id = $3 AND owner = $4 AND lease_counter = $5::bigint "
        "AND pending_reset IS NULL",
        {value, pipe_, lease.shard_id, lease.owner, std::to_string(lease.counter)});
  }

  Status release(const Lease& lease) override {
    std::lock_guard lock(mutex_);
    auto done = changed_one(
        "releasing a lease",
        "UPDATE shardpipe_leases SET owner = '', lease_expires_ms = 0, "
        "lease_counter = lease_counter + 1, handover_to = '', updated_ms = now_ms FROM " SERVER_NOW
        " WHERE pipe = $1 AND shard_id = $2 AND owner = $3 AND lease_counter = $4::bigint",
        {pipe_, lease.shard_id, lease.owner, std::to_string(lease.counter)});
    if (!done) return fail(done.error());
    return {};
  }

  Result<bool> request_handover(const std::string& shard_id,
                                const std::string& requester) override {
    std::lock_guard lock(mutex_);
    return changed_one(
        "asking for a lease",
        "UPDATE shardpipe_leases SET handover_to = $1, handover_asked_ms = now_ms FROM " SERVER_NOW
        " WHERE pipe = $2 AND shard_id = $3 AND owner <> '' AND owner <> $1 "
        "AND lease_expires_ms >= now_ms",
        {requester, pipe_, shard_id});
  }

  Result<bool> hand_over(const Lease& lease, const std::string& to,
                         std::chrono::milliseconds duration) override {
    std::lock_guard lock(mutex_);
    return changed_one(
        "handing a lease over",
        "UPDATE shardpipe_leases SET owner = $1, lease_counter = lease_counter + 1, "
        "lease_expires_ms = now_ms + $2::bigint, handover_to = '', updated_ms = now_ms "
        "FROM " SERVER_NOW
        " WHERE pipe = $3 AND shard_id = $4 AND owner = $5 AND lease_counter = $6::bigint "
        // FOR SHARE: a withdrawal that deletes the row waits for this hand-over's commit, so a
        // stopping recipient's last reading sees the lease; a hand-over after the withdrawal
        // finds no row.
        "AND EXISTS (SELECT 1 FROM shardpipe_workers WHERE pipe = $3 AND worker = $1 "
        "AND expires_ms >= now_ms FOR SHARE)",
        {to, std::to_string(duration.count()), pipe_, lease.shard_id, lease.owner,
         std::to_string(lease.counter)});
  }

  Status announce_worker(const std::string& worker, std::chrono::milliseconds duration) override {
    std::lock_guard lock(mutex_);
    auto done = run("announcing a worker",
                    "INSERT INTO shardpipe_workers (pipe, worker, expires_ms) SELECT $1, $2, "
                    "now_ms + $3::bigint FROM " SERVER_NOW
                    " ON CONFLICT (pipe, worker) DO UPDATE SET expires_ms = EXCLUDED.expires_ms",
                    {pipe_, worker, std::to_string(duration.count())});
    if (!done) return fail(done.error());
    // Workers that stopped without withdrawing (killed) are forgotten an hour later.
    auto forgotten = run("forgetting old workers",
                         "DELETE FROM shardpipe_workers USING " SERVER_NOW
                         " WHERE pipe = $1 AND expires_ms < now_ms - 3600000",
                         {pipe_});
    if (!forgotten) return fail(forgotten.error());
    return {};
  }

  Status withdraw_worker(const std::string& worker) override {
    std::lock_guard lock(mutex_);
    auto done =
        run("withdrawing a worker", "DELETE FROM shardpipe_workers WHERE pipe = $1 AND worker = $2",
            {pipe_, worker});
    if (!done) return fail(done.error());
    return {};
  }

  Result<std::vector<std::string>> live_workers() override {
    std::lock_guard lock(mutex_);
    auto answer = run("listing workers",
                      "SELECT worker FROM shardpipe_workers, " SERVER_NOW
                      " WHERE pipe = $1 AND expires_ms >= now_ms ORDER BY worker COLLATE \"C\"",
                      {pipe_});
    if (!answer) return fail(answer.error());
    std::vector<std::string> workers;
    for (int i = 0; i < PQntuples(answer->get()); ++i) {
      workers.emplace_back(PQgetvalue(answer->get(), i, 0));
    }
    return workers;
  }

  // One statement decides "applied" (nobody live holds the shard) or "pending" for the owner, so
  // a lease taken between two statements cannot slip past the decision.
  Result<SetOutcome> set_checkpoint(const std::string& shard_id,
                                    const std::string& value) override {
    std::lock_guard lock(mutex_);
    auto answer = run(
        "setting a checkpoint",
        "UPDATE shardpipe_leases SET "
        "checkpoint = CASE WHEN owner = '' OR lease_expires_ms < now_ms THEN $1 ELSE checkpoint "
        "END, "
        "pending_reset = CASE WHEN owner = '' OR lease_expires_ms < now_ms THEN NULL ELSE $1 END, "
        "updated_ms = now_ms FROM " SERVER_NOW
        " WHERE pipe = $2 AND shard_id = $3 RETURNING pending_reset IS NULL",
        {value, pipe_, shard_id});
    if (!answer) return fail(answer.error());
    if (PQntuples(answer->get()) == 0) {
      return fail(Error::permanent(fmt::format("no shard '{}' in pipe '{}'", shard_id, pipe_)));
    }
    return std::string_view(PQgetvalue(answer->get(), 0, 0)) == "t" ? SetOutcome::applied
                                                                    : SetOutcome::pending_owner;
  }

  Result<std::optional<std::string>> adopt_reset(const Lease& lease) override {
    std::lock_guard lock(mutex_);
    auto answer =
        run("adopting a reset",
            "UPDATE shardpipe_leases SET checkpoint = pending_reset, pending_reset = NULL, "
            "updated_ms = now_ms FROM " SERVER_NOW
            " WHERE pipe = $1 AND shard_id = $2 AND owner = $3 AND lease_counter = $4::bigint "
            "AND pending_reset IS NOT NULL RETURNING checkpoint",
            {pipe_, lease.shard_id, lease.owner, std::to_string(lease.counter)});
    if (!answer) return fail(answer.error());
    if (PQntuples(answer->get()) == 0) return std::optional<std::string>();
    return std::optional<std::string>(PQgetvalue(answer->get(), 0, 0));
  }

  // On a connection of its own, never queued behind this store's mutex, and non-blocking with a
  // deadline: libpq's connect_timeout counts whole seconds (at least 2), too coarse for /healthz.
  Status probe(std::chrono::milliseconds within) override {
    auto problem = probe_problem(within, steady::now() + within);
    if (problem.empty()) return {};
    return fail(Error::retriable(message(std::move(problem))));
  }

  // Creates the table unless it exists: a role that may use the table but not create tables in
  // the schema can still open a store someone else created.
  Status initialize() {
    auto connected = connect();
    if (!connected) return fail(Error::fatal(connected.error().message));
    connection_ = std::move(*connected);
    auto exists =
        run("looking for the table", "SELECT to_regclass('shardpipe_leases') IS NOT NULL", {});
    if (!exists) return fail(Error::fatal(exists.error().message));
    if (std::string_view(PQgetvalue(exists->get(), 0, 0)) == "t") {
      if (auto added = add_missing_columns(); !added) return added;
    } else {
      Answer created(PQexec(connection_.get(), create_sql), &PQclear);
      if (PQresultStatus(created.get()) != PGRES_COMMAND_OK) {
        return fail(Error::fatal(message("creating the table shardpipe_leases: " +
                                         trimmed(PQerrorMessage(connection_.get())))));
      }
    }
    return create_workers_table();
  }

 private:
  Status create_workers_table() {
    auto exists =
        run("looking for the table", "SELECT to_regclass('shardpipe_workers') IS NOT NULL", {});
    if (!exists) return fail(Error::fatal(exists.error().message));
    if (std::string_view(PQgetvalue(exists->get(), 0, 0)) == "t") return {};
    Answer created(PQexec(connection_.get(), create_workers_sql), &PQclear);
    if (PQresultStatus(created.get()) != PGRES_COMMAND_OK) {
      return fail(Error::fatal(message("creating the table shardpipe_workers: " +
                                       trimmed(PQerrorMessage(connection_.get())))));
    }
    return {};
  }

  Status add_missing_columns() {
    auto present = run("looking for the table's columns",
                       "SELECT count(*) FROM pg_attribute WHERE attrelid = "
                       "to_regclass('shardpipe_leases') AND attname = 'handover_asked_ms' "
                       "AND NOT attisdropped",
                       {});
    if (!present) return fail(Error::fatal(present.error().message));
    if (std::string_view(PQgetvalue(present->get(), 0, 0)) != "0") return {};
    Answer altered(PQexec(connection_.get(), add_handover_columns), &PQclear);
    if (PQresultStatus(altered.get()) != PGRES_COMMAND_OK) {
      return fail(Error::fatal(message("adding the hand-over columns to shardpipe_leases: " +
                                       trimmed(PQerrorMessage(connection_.get())))));
    }
    return {};
  }

  // "checkpoint store postgresql://user@host/db: WHAT", never with the password.
  std::string message(std::string what) const {
    auto text = fmt::format("checkpoint store {}: {}", shown_url_, trimmed(std::move(what)));
    for (const auto& secret : secrets_) replace_all(text, secret, "***");
    return text;
  }

  Result<Connection> connect() const {
    auto connection = start_connection(url_, true);
    if (!connection || PQstatus(connection.get()) != CONNECTION_OK) {
      return fail(Error::retriable(
          message("cannot connect: " +
                  std::string(connection ? PQerrorMessage(connection.get()) : "out of memory"))));
    }
    auto timeout = fmt::format("SET statement_timeout = {}", statement_timeout_ms);
    Answer set(PQexec(connection.get(), timeout.c_str()), &PQclear);
    if (PQresultStatus(set.get()) != PGRES_COMMAND_OK) {
      return fail(Error::retriable(
          message("setting statement_timeout: " + std::string(PQerrorMessage(connection.get())))));
    }
    return connection;
  }

  // One statement on the shared connection (the mutex is held). Every failure is retriable, as
  // with the SQLite store; a broken connection is dropped and made again by the next call, so a
  // database restart needs no reopening of the store.
  Result<Answer> run(const std::string& what, const std::string& sql,
                     const std::vector<std::string>& params) {
    if (!connection_ || PQstatus(connection_.get()) != CONNECTION_OK) {
      auto connected = connect();
      if (!connected) return fail(connected.error());
      connection_ = std::move(*connected);
    }
    std::vector<const char*> values;
    for (const auto& param : params) values.push_back(param.c_str());
    Answer answer(PQexecParams(connection_.get(), sql.c_str(), static_cast<int>(values.size()),
                               nullptr, values.data(), nullptr, nullptr, 0),
                  &PQclear);
    auto status = PQresultStatus(answer.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return answer;
    std::string why = PQerrorMessage(connection_.get());
    if (PQstatus(connection_.get()) != CONNECTION_OK) connection_.reset();
    return fail(Error::retriable(message(what + ": " + why)));
  }

  Result<bool> changed_one(const std::string& what, const std::string& sql,
                           const std::vector<std::string>& params) {
    auto answer = run(what, sql, params);
    if (!answer) return fail(answer.error());
    return std::string_view(PQcmdTuples(answer->get())) == "1";
  }

  static LeaseRow read_row(const PGresult* result, int i) {
    LeaseRow row;
    row.shard_id = PQgetvalue(result, i, 0);
    row.owner = PQgetvalue(result, i, 1);
    row.counter = to_int(PQgetvalue(result, i, 2));
    row.expires_ms = to_int(PQgetvalue(result, i, 3));
    row.checkpoint = PQgetvalue(result, i, 4);
    row.parent_shard_ids = split_parent_ids(PQgetvalue(result, i, 5));
    if (!PQgetisnull(result, i, 6)) row.pending_reset = PQgetvalue(result, i, 6);
    row.updated_ms = to_int(PQgetvalue(result, i, 7));
    row.handover_to = PQgetvalue(result, i, 8);
    row.handover_asked_ms = to_int(PQgetvalue(result, i, 9));
    return row;
  }

  // Empty when the server answered within the deadline and could take a write (a read-only
  // server or standby could not: checkpoints would fail).
  std::string probe_problem(std::chrono::milliseconds within, steady::time_point deadline) const {
    auto timed_out = fmt::format("no answer within {} ms", within.count());
    auto connection = start_connection(url_, false);
    if (!connection) return "out of memory";
    PGconn* conn = connection.get();
    if (PQstatus(conn) == CONNECTION_BAD) return PQerrorMessage(conn);
    auto polling = PGRES_POLLING_WRITING;
    while (polling != PGRES_POLLING_OK) {
      if (polling == PGRES_POLLING_FAILED) return PQerrorMessage(conn);
      if (!wait_socket(conn, polling == PGRES_POLLING_WRITING, deadline)) return timed_out;
      polling = PQconnectPoll(conn);
    }
    auto sql = fmt::format(
        "SET statement_timeout = {}; SELECT current_setting('transaction_read_only'), "
        "(SELECT count(*) FROM (SELECT 1 FROM shardpipe_leases LIMIT 1) AS one)",
        std::max<int64_t>(1, within.count()));
    if (!PQsendQuery(conn, sql.c_str())) return PQerrorMessage(conn);
    std::string problem;
    while (true) {
      while (PQisBusy(conn)) {
        if (!wait_socket(conn, false, deadline)) return timed_out;
        if (!PQconsumeInput(conn)) return PQerrorMessage(conn);
      }
      Answer answer(PQgetResult(conn), &PQclear);
      if (!answer) break;
      auto status = PQresultStatus(answer.get());
      if (status == PGRES_TUPLES_OK && PQntuples(answer.get()) == 1 &&
          std::string_view(PQgetvalue(answer.get(), 0, 0)) == "on") {
        problem = "the database is read-only: checkpoints cannot be written";
      } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && problem.empty()) {
        problem = PQresultErrorMessage(answer.get());
      }
    }
    return problem;
  }

  std::mutex mutex_;
  Connection connection_{nullptr, &PQfinish};
  std::string url_;
  std::string pipe_;
  std::string shown_url_;
  std::vector<std::string> secrets_;
};

}  // namespace

std::string redact_postgres_url(const std::string& url) {
  std::string out = url;
  if (auto password = user_info_password(out)) out.erase(password->first, password->second);
  // ...?password=PASSWORD&...
  for (auto at = out.find("password="); at != std::string::npos;
       at = out.find("password=", at + 1)) {
    auto value = at + std::string_view("password=").size();
    auto end = std::min(out.find('&', value), out.size());
    out.replace(value, end - value, "***");
  }
  return out;
}

Result<std::unique_ptr<CheckpointStore>> open_postgres_store(const std::string& url,
                                                             const std::string& pipe) {
  auto store = std::make_unique<PostgresStore>(url, pipe);
  if (auto ok = store->initialize(); !ok) return fail(ok.error());
  return std::unique_ptr<CheckpointStore>(std::move(store));
}

}  // namespace shardpipe::coordination
