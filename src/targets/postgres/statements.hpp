// The SQL text of each mode: the table it creates when missing, and the one statement that writes
// a whole batch from unnest()ed arrays (see text_array.hpp).
#pragma once

#include <string>

#include "targets/postgres/table_name.hpp"

namespace shardpipe::postgres_target {

enum class Mode { insert, mirror };

// CREATE TABLE IF NOT EXISTS with the mode's columns (docs/postgres-target.md).
std::string create_table_statement(Mode mode, const TableName& table);

// The batch statement. Parameters, all but the first binary text[] of one element per row:
// insert: $1 shard id (text), $2 event ids, $3 sequence numbers, $4 partition keys, $5 records;
//         rows whose event_id is already there are left alone.
// mirror: $1 shard id (text), $2 keys, $3 sequence numbers (decimal), $4 sub-sequences,
//         $5 items (NULL: a delete, kept as a tombstone); a row is replaced only by a change with
//         a greater (sequence, sub-sequence). The keys of one statement must be distinct.
std::string write_statement(Mode mode, const TableName& table);

constexpr int write_statement_parameters = 5;

}  // namespace shardpipe::postgres_target
