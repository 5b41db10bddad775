// What a PostgreSQL error means for delivery, from its SQLSTATE (Appendix A of the PostgreSQL
// manual): a record the database refuses, a connection to make again, a moment to wait, or a
// configuration to fix.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::postgres_target {

enum class SqlErrorKind {
  data,           // classes 22, 23, 54: this row is refused; the others may be written
  connection,     // no SQLSTATE (libpq lost the server), class 08, 57P01-57P03: reconnect
  transient,      // serialization failures, deadlocks, resources, read-only standby: retry
  configuration,  // classes 28, 3D, 3F, 42: wrong credentials, database, table or privileges
};

SqlErrorKind classify_sqlstate(std::string_view sqlstate);

ErrorClass error_class_of(SqlErrorKind kind);

// A failed statement: the engine's error plus what the sink needs to decide what to do next.
struct SqlFailure {
  SqlErrorKind kind = SqlErrorKind::transient;
  std::string sqlstate;  // empty when libpq had no answer from the server
  Error error;
};

}  // namespace shardpipe::postgres_target
