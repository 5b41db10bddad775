// The postgres target: each batch written to a PostgreSQL table in one statement, as an
// append-only log of records (mode insert) or as a replica of the source's items (mode mirror).
// See docs/postgres-target.md.
#pragma once

#include <memory>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "targets/target.hpp"

namespace shardpipe {

// Checks the table name, reads the DSN, connects once, creates the table when it is missing and
// checks that it can take the mode's rows. Any failure here is fatal, with a message that says
// what to fix and never holds the password.
Result<std::unique_ptr<Target>> make_postgres_target(const config::TargetConfig& config);

}  // namespace shardpipe
