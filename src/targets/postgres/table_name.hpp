// `target.table`: a table name, optionally schema-qualified, checked and quoted for SQL text.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::postgres_target {

struct TableName {
  std::string schema;  // empty: the connection's search_path decides
  std::string name;

  // "schema"."name" or "name", quoted so that the name is used exactly as written.
  std::string quoted() const;
  // schema.name or name, for messages.
  std::string display() const;
};

// Accepts NAME or SCHEMA.NAME where each part starts with a letter or underscore, continues with
// letters, digits, underscores or dollar signs, and is at most 63 bytes (PostgreSQL's limit).
// Anything else is refused, so the name can never inject SQL.
Result<TableName> parse_table_name(std::string_view text);

// `identifier` in double quotes (it must already be a valid identifier part).
std::string quote_identifier(std::string_view identifier);

}  // namespace shardpipe::postgres_target
