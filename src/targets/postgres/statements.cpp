#include "targets/postgres/statements.hpp"

#include <fmt/format.h>

namespace shardpipe::postgres_target {

std::string create_table_statement(Mode mode, const TableName& table) {
  if (mode == Mode::insert) {
    return fmt::format(
        "CREATE TABLE IF NOT EXISTS {} ("
        "event_id text PRIMARY KEY, "
        "shard_id text NOT NULL, "
        "sequence_number text NOT NULL, "
        "partition_key text NOT NULL, "
        "record jsonb NOT NULL, "
        "written_at timestamptz NOT NULL DEFAULT now())",
        table.quoted());
  }
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} ("
      "key text PRIMARY KEY, "
      "sequence_number numeric NOT NULL, "
      "sub_sequence bigint NOT NULL, "
      "shard_id text NOT NULL, "
      "deleted boolean NOT NULL DEFAULT false, "
      "item jsonb, "
      "updated_at timestamptz NOT NULL DEFAULT now())",
      table.quoted());
}

std::string write_statement(Mode mode, const TableName& table) {
  if (mode == Mode::insert) {
    return fmt::format(
        "INSERT INTO {} (event_id, shard_id, sequence_number, partition_key, record) "
        "SELECT incoming.event_id, $1, incoming.sequence_number, incoming.partition_key, "
        "incoming.record::jsonb "
        "FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) "
        "AS incoming(event_id, sequence_number, partition_key, record) "
        "ON CONFLICT (event_id) DO NOTHING",
        table.quoted());
  }
  return fmt::format(
      "INSERT INTO {} AS stored (key, sequence_number, sub_sequence, shard_id, deleted, item) "
      "SELECT change.key, change.sequence_number::numeric, change.sub_sequence::bigint, $1, "
      "change.item IS NULL, change.item::jsonb "
      "FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) "
      "AS change(key, sequence_number, sub_sequence, item) "
      "ON CONFLICT (key) DO UPDATE SET sequence_number = EXCLUDED.sequence_number, "
      "sub_sequence = EXCLUDED.sub_sequence, shard_id = EXCLUDED.shard_id, "
      "deleted = EXCLUDED.deleted, item = EXCLUDED.item, updated_at = now() "
      "WHERE (stored.sequence_number, stored.sub_sequence) < "
      "(EXCLUDED.sequence_number, EXCLUDED.sub_sequence)",
      table.quoted());
}

}  // namespace shardpipe::postgres_target
