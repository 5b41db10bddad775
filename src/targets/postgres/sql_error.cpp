#include "targets/postgres/sql_error.hpp"

namespace shardpipe::postgres_target {

SqlErrorKind classify_sqlstate(std::string_view sqlstate) {
  if (sqlstate.size() != 5) return SqlErrorKind::connection;
  auto error_class = sqlstate.substr(0, 2);
  if (error_class == "22" || error_class == "23" || error_class == "54") return SqlErrorKind::data;
  // admin_shutdown, crash_shutdown, cannot_connect_now: the server is going away or starting.
  if (error_class == "08" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") {
    return SqlErrorKind::connection;
  }
  if (error_class == "28" || error_class == "3D" || error_class == "3F" || error_class == "42") {
    return SqlErrorKind::configuration;
  }
  return SqlErrorKind::transient;
}

ErrorClass error_class_of(SqlErrorKind kind) {
  switch (kind) {
    case SqlErrorKind::data:
      return ErrorClass::permanent;
    case SqlErrorKind::configuration:
      return ErrorClass::fatal;
    case SqlErrorKind::connection:
    case SqlErrorKind::transient:
      return ErrorClass::retriable;
  }
  return ErrorClass::retriable;
}

}  // namespace shardpipe::postgres_target
