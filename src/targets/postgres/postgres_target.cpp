#include "targets/postgres/postgres_target.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>

#include "targets/postgres/connection.hpp"
#include "targets/postgres/postgres_sink.hpp"
#include "targets/postgres/statements.hpp"
#include "targets/postgres/text_array.hpp"

namespace shardpipe {
namespace {

using namespace postgres_target;

constexpr std::array insert_columns = {"event_id",      "shard_id", "sequence_number",
                                       "partition_key", "record",   "written_at"};
constexpr std::array mirror_columns = {
    "key", "sequence_number", "sub_sequence", "shard_id", "deleted", "item", "updated_at"};

Error setup_error(const TableName& table, std::string_view what, const SqlFailure& failure) {
  return Error::fatal(fmt::format("postgres target, table {}: {}: {}", table.display(), what,
                                  failure.error.message));
}

// CREATE TABLE IF NOT EXISTS can race another worker creating the same table; the loser sees a
// duplicate catalog entry and simply tries once more.
SqlResult<void> create_table(Connection& connection, Mode mode, const TableName& table) {
  auto created = connection.execute(create_table_statement(mode, table));
  if (!created && (created.error().sqlstate == "23505" || created.error().sqlstate == "42P07")) {
    created = connection.execute(create_table_statement(mode, table));
  }
  return created;
}

// A column of an existing table that shardpipe does not fill must be optional, or every row would
// be refused as if the records were at fault.
Status check_extra_columns(Connection& connection, Mode mode, const TableName& table) {
  std::string known = "{";
  for (const char* column : mode == Mode::insert ? std::span<const char* const>(insert_columns)
                                                 : std::span<const char* const>(mirror_columns)) {
    if (known.size() > 1) known += ',';
    known += column;
  }
  known += '}';
  auto required = connection.query_column(
      "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT "
      "attisdropped AND attnotnull AND NOT atthasdef AND attidentity = '' AND attgenerated = '' "
      "AND attname <> ALL ($2::text[]) ORDER BY attnum",
      std::array{table.quoted(), known});
  if (!required) return fail(setup_error(table, "cannot read its columns", required.error()));
  if (!required->empty()) {
    return fail(Error::fatal(fmt::format(
        "postgres target, table {}: column(s) {} are NOT NULL without a default, and shardpipe "
        "does not fill them (docs/postgres-target.md lists the columns it writes)",
        table.display(), fmt::join(*required, ", "))));
  }
  return {};
}

// Runs the batch statement with no rows: PostgreSQL checks the columns, their types, the unique
// key ON CONFLICT needs and the privileges, without writing anything.
Status check_write_statement(Connection& connection, Mode mode, const TableName& table) {
  constexpr unsigned types[write_statement_parameters] = {text_oid, text_array_oid, text_array_oid,
                                                          text_array_oid, text_array_oid};
  TextArray empty;
  const std::string& no_rows = empty.bytes();
  auto prepared = connection.prepare(write_statement_name, write_statement(mode, table), types);
  SqlResult<long> executed = std::unexpected(SqlFailure{});
  if (prepared) {
    const Parameter parameters[write_statement_parameters] = {
        {"", false}, {no_rows, true}, {no_rows, true}, {no_rows, true}, {no_rows, true}};
    executed = connection.execute_prepared(write_statement_name, parameters);
  }
  const SqlFailure* failure = !prepared   ? &prepared.error()
                              : !executed ? &executed.error()
                                          : nullptr;
  if (failure == nullptr) return {};
  return fail(Error::fatal(fmt::format(
      "postgres target, table {}: it cannot take the rows of mode {}: {} (the table needs the "
      "columns {} with a unique key on {}; docs/postgres-target.md)",
      table.display(), mode == Mode::insert ? "insert" : "mirror", failure->error.message,
      fmt::join(mode == Mode::insert ? std::span<const char* const>(insert_columns)
                                     : std::span<const char* const>(mirror_columns),
                ", "),
      mode == Mode::insert ? "event_id" : "key")));
}

class PostgresTarget final : public Target {
 public:
  explicit PostgresTarget(std::shared_ptr<const PostgresSettings> settings)
      : settings_(std::move(settings)) {}
  Result<std::unique_ptr<ShardSink>> open_shard(const std::string& shard_id) override {
    return make_postgres_sink(settings_, shard_id);
  }

 private:
  std::shared_ptr<const PostgresSettings> settings_;
};

}  // namespace

Result<std::unique_ptr<Target>> make_postgres_target(const config::TargetConfig& config) {
  auto settings = std::make_shared<PostgresSettings>();
  if (config.mode == "insert") {
    settings->mode = Mode::insert;
  } else if (config.mode == "mirror") {
    settings->mode = Mode::mirror;
  } else {
    return fail(Error::fatal(
        fmt::format("target.mode '{}' is not a postgres mode (insert or mirror)", config.mode)));
  }
  auto table = parse_table_name(config.table);
  if (!table) return fail(std::move(table.error()));
  settings->table = std::move(*table);
  if (config.dsn.empty()) return fail(Error::fatal("target.dsn is required for a postgres target"));
  auto dsn = parse_connection_string(config.dsn);
  if (!dsn) return fail(std::move(dsn.error()));
  settings->dsn = std::move(*dsn);

  auto connection = Connection::open(settings->dsn);
  if (!connection) {
    return fail(Error::fatal(fmt::format("postgres target: {}", connection.error().error.message)));
  }
  if (auto created = create_table(**connection, settings->mode, settings->table); !created) {
    return fail(setup_error(settings->table, "cannot create it", created.error()));
  }
  if (auto checked = check_extra_columns(**connection, settings->mode, settings->table); !checked) {
    return fail(std::move(checked.error()));
  }
  if (auto checked = check_write_statement(**connection, settings->mode, settings->table);
      !checked) {
    return fail(std::move(checked.error()));
  }
  return std::make_unique<PostgresTarget>(std::move(settings));
}

}  // namespace shardpipe
