#include "targets/postgres/connection.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <vector>

namespace shardpipe::postgres_target {
namespace {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultHandle = std::unique_ptr<PGresult, ResultDeleter>;

// libpq's messages end with a newline and may hold DETAIL and HINT lines: one line, please.
std::string one_line(std::string_view message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.remove_suffix(1);
  }
  std::string out;
  for (char c : message) {
    if (c == '\n') {
      out += "; ";
    } else if (c != '\t' || !out.ends_with("; ")) {
      out += c;
    }
  }
  return out;
}

}  // namespace

Connection::Connection(PGconn* connection, const ConnectionString& dsn)
    : connection_(connection), dsn_(dsn) {}

Connection::~Connection() {
  PQfinish(connection_);
}

SqlResult<std::unique_ptr<Connection>> Connection::open(const ConnectionString& dsn) {
  // Defaults first: the DSN (expanded from "dbname", last) overrides any of them.
  const char* keywords[] = {"application_name", "client_encoding", "connect_timeout",
                            "keepalives",       "keepalives_idle", "keepalives_interval",
                            "keepalives_count", "dbname",          nullptr};
  const char* values[] = {"shardpipe", "UTF8",          "10",   "1", "30", "10",
                          "3",         dsn.dsn.c_str(), nullptr};
  PGconn* connection = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (connection == nullptr || PQstatus(connection) != CONNECTION_OK) {
    std::string why = connection ? one_line(PQerrorMessage(connection)) : "out of memory";
    PQfinish(connection);
    return std::unexpected(
        SqlFailure{.kind = SqlErrorKind::connection,
                   .error = Error::retriable(dsn.redact(fmt::format(
                       "cannot connect to PostgreSQL ({}): {}", dsn.describe(), why)))});
  }
  return std::unique_ptr<Connection>(new Connection(connection, dsn));
}

bool Connection::usable() const {
  return PQstatus(connection_) == CONNECTION_OK;
}

bool Connection::in_transaction() const {
  auto status = PQtransactionStatus(connection_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

template <typename Answer>
SqlResult<Answer> Connection::failure(PGresult* result) const {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  std::string message =
      one_line(result && *PQresultErrorMessage(result) ? PQresultErrorMessage(result)
                                                       : PQerrorMessage(connection_));
  SqlErrorKind kind = usable() ? classify_sqlstate(sqlstate) : SqlErrorKind::connection;
  if (kind == SqlErrorKind::connection) {
    message = fmt::format("lost the connection to PostgreSQL ({}): {}", dsn_.describe(), message);
  }
  if (!sqlstate.empty()) message += fmt::format(" (SQLSTATE {})", sqlstate);
  return std::unexpected(SqlFailure{.kind = kind,
                                    .sqlstate = std::move(sqlstate),
                                    .error = {error_class_of(kind), dsn_.redact(message)}});
}

SqlResult<void> Connection::execute(const std::string& sql) {
  ResultHandle result(PQexec(connection_, sql.c_str()));
  auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure<void>(result.get());
  return {};
}

SqlResult<void> Connection::prepare(const std::string& name, const std::string& sql,
                                    std::span<const unsigned> parameter_types) {
  ResultHandle result(PQprepare(connection_, name.c_str(), sql.c_str(),
                                static_cast<int>(parameter_types.size()), parameter_types.data()));
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return failure<void>(result.get());
  }
  return {};
}

SqlResult<long> Connection::execute_prepared(const std::string& name,
                                             std::span<const Parameter> parameters) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  std::vector<std::string> text_values;  // text parameters need their terminating NUL
  text_values.reserve(parameters.size());
  for (const auto& parameter : parameters) {
    if (parameter.binary) {
      values.push_back(parameter.value.data());
    } else {
      values.push_back(text_values.emplace_back(parameter.value).c_str());
    }
    lengths.push_back(static_cast<int>(parameter.value.size()));
    formats.push_back(parameter.binary ? 1 : 0);
  }
  ResultHandle result(PQexecPrepared(connection_, name.c_str(), static_cast<int>(parameters.size()),
                                     values.data(), lengths.data(), formats.data(),
                                     /*resultFormat=*/0));
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return failure<long>(result.get());
  }
  const char* affected = PQcmdTuples(result.get());
  return affected && *affected ? std::stol(affected) : 0L;
}

SqlResult<std::vector<std::string>> Connection::query_column(
    const std::string& sql, std::span<const std::string> parameters) {
  std::vector<const char*> values;
  for (const auto& parameter : parameters) values.push_back(parameter.c_str());
  ResultHandle result(PQexecParams(connection_, sql.c_str(), static_cast<int>(values.size()),
                                   nullptr, values.data(), nullptr, nullptr, 0));
  if (!result || PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    return failure<std::vector<std::string>>(result.get());
  }
  std::vector<std::string> column;
  for (int row = 0; row < PQntuples(result.get()); ++row) {
    column.emplace_back(PQgetvalue(result.get(), row, 0));
  }
  return column;
}

}  // namespace shardpipe::postgres_target
