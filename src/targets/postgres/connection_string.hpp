// `target.dsn`, read with libpq's own parser: where it points (for messages) and the secrets that
// must never appear in one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace shardpipe::postgres_target {

struct ConnectionString {
  std::string dsn;
  std::string host;  // as written; empty: libpq's default
  std::string port;
  std::string database;
  std::string user;
  // The password as written in the DSN and as libpq decodes it (a URI may percent-encode it).
  std::vector<std::string> secrets;

  // "host 127.0.0.1 port 5432 database shop user app", without the password.
  std::string describe() const;
  // `message` with every secret replaced by "***".
  std::string redact(std::string_view message) const;
};

// Parses `dsn` (key=value pairs or a postgresql:// URI). A DSN libpq cannot read is a fatal error
// whose message quotes nothing from the DSN, since the part it complains about may be the
// password.
Result<ConnectionString> parse_connection_string(std::string_view dsn);

// `message` with every double-quoted fragment replaced by "…".
std::string mask_quoted(std::string_view message);

}  // namespace shardpipe::postgres_target
