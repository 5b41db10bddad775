// The SQL of each mode: the quoted table, the conflict handling that makes replays harmless.
#include "targets/postgres/statements.hpp"

#include <gtest/gtest.h>

namespace shardpipe::postgres_target {
namespace {

const TableName table{.schema = "app", .name = "Events"};

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(Statements, InsertModeSkipsEventIdsAlreadyWritten) {
  auto sql = write_statement(Mode::insert, table);
  EXPECT_TRUE(sql.starts_with(R"(INSERT INTO "app"."Events" )")) << sql;
  EXPECT_TRUE(contains(sql, "unnest($2::text[], $3::text[], $4::text[], $5::text[])")) << sql;
  EXPECT_TRUE(sql.ends_with("ON CONFLICT (event_id) DO NOTHING")) << sql;
}

TEST(Statements, MirrorModeReplacesARowOnlyWithALaterChange) {
  auto sql = write_statement(Mode::mirror, table);
  EXPECT_TRUE(sql.starts_with(R"(INSERT INTO "app"."Events" AS stored )")) << sql;
  EXPECT_TRUE(contains(sql, "change.sequence_number::numeric")) << sql;
  EXPECT_TRUE(contains(sql, "change.item IS NULL")) << sql;  // a delete is a tombstone
  EXPECT_TRUE(contains(sql, "ON CONFLICT (key) DO UPDATE")) << sql;
  EXPECT_TRUE(
      sql.ends_with("WHERE (stored.sequence_number, stored.sub_sequence) < "
                    "(EXCLUDED.sequence_number, EXCLUDED.sub_sequence)"))
      << sql;
}

TEST(Statements, TablesAreCreatedOnlyWhenMissing) {
  auto insert = create_table_statement(Mode::insert, table);
  EXPECT_TRUE(insert.starts_with(R"(CREATE TABLE IF NOT EXISTS "app"."Events" ()")) << insert;
  EXPECT_TRUE(contains(insert, "event_id text PRIMARY KEY")) << insert;
  EXPECT_TRUE(contains(insert, "record jsonb NOT NULL")) << insert;
  auto mirror = create_table_statement(Mode::mirror, table);
  EXPECT_TRUE(contains(mirror, "key text PRIMARY KEY")) << mirror;
  EXPECT_TRUE(contains(mirror, "sequence_number numeric NOT NULL")) << mirror;
  EXPECT_TRUE(contains(mirror, "deleted boolean NOT NULL DEFAULT false")) << mirror;
  EXPECT_TRUE(contains(mirror, "item jsonb,")) << mirror;  // NULL in tombstones
}

}  // namespace
}  // namespace shardpipe::postgres_target
