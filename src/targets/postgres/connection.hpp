// One libpq connection, used by one thread: statements and their failures, classified, with the
// password never in a message.
#pragma once

#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "targets/postgres/connection_string.hpp"
#include "targets/postgres/sql_error.hpp"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace shardpipe::postgres_target {

template <typename T>
using SqlResult = std::expected<T, SqlFailure>;

struct Parameter {
  std::string_view value;
  bool binary = false;
};

class Connection {
 public:
  // Connects with a 10 s connect timeout and TCP keepalives unless the DSN says otherwise, so a
  // vanished server is noticed. A failure is a `connection` failure saying where and why.
  static SqlResult<std::unique_ptr<Connection>> open(const ConnectionString& dsn);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // False once the server is gone: the connection must be opened again.
  bool usable() const;
  // Inside a transaction block (open, or failed and waiting for ROLLBACK).
  bool in_transaction() const;

  // A statement without parameters (BEGIN, COMMIT, DDL, ...).
  SqlResult<void> execute(const std::string& sql);
  // PREPAREs `sql` as `name`; `parameter_types` are type OIDs.
  SqlResult<void> prepare(const std::string& name, const std::string& sql,
                          std::span<const unsigned> parameter_types);
  // Runs a prepared statement; returns the number of rows it affected.
  SqlResult<long> execute_prepared(const std::string& name, std::span<const Parameter> parameters);
  // Runs `sql` with text parameters and returns the first column of every row.
  SqlResult<std::vector<std::string>> query_column(const std::string& sql,
                                                   std::span<const std::string> parameters);

 private:
  Connection(PGconn* connection, const ConnectionString& dsn);
  template <typename Answer>
  SqlResult<Answer> failure(PGresult* result) const;

  PGconn* connection_;
  ConnectionString dsn_;  // for messages: where, and what to redact
};

}  // namespace shardpipe::postgres_target
