// The sink of one shard: one libpq connection, one statement per batch (see statements.hpp), and
// a row-by-row pass inside savepoints when the database refuses a row, to find which.
#pragma once

#include <memory>
#include <string>

#include "targets/postgres/connection_string.hpp"
#include "targets/postgres/statements.hpp"
#include "targets/postgres/table_name.hpp"
#include "targets/target.hpp"

namespace shardpipe::postgres_target {

// Everything a sink needs, checked once when the target is created.
struct PostgresSettings {
  ConnectionString dsn;
  TableName table;
  Mode mode = Mode::insert;
};

// The name the batch statement is prepared under on every connection.
inline const std::string write_statement_name = "shardpipe_write";

// Connects lazily, at the first batch, and again after the connection is lost.
std::unique_ptr<ShardSink> make_postgres_sink(std::shared_ptr<const PostgresSettings> settings,
                                              std::string shard_id);

}  // namespace shardpipe::postgres_target
