// target.table: what is accepted as a name, what is refused, and how it is quoted.
#include "targets/postgres/table_name.hpp"

#include <gtest/gtest.h>

namespace shardpipe::postgres_target {
namespace {

TEST(TableName, APlainNameIsQuotedAsWritten) {
  auto table = parse_table_name("Orders_2024$x");
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->schema, "");
  EXPECT_EQ(table->quoted(), R"("Orders_2024$x")");
  EXPECT_EQ(table->display(), "Orders_2024$x");
}

TEST(TableName, ASchemaQualifiedNameQuotesEachPart) {
  auto table = parse_table_name("analytics.events");
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->schema, "analytics");
  EXPECT_EQ(table->name, "events");
  EXPECT_EQ(table->quoted(), R"("analytics"."events")");
}

TEST(TableName, AnythingThatCouldEscapeTheQuotesIsRefused) {
  for (const char* bad : {"", "a.b.c", ".a", "a.", "1abc", "a b", "a\"b", "a;drop table x", "a-b",
                          "é", "a'b", "_ok.\"x\""}) {
    auto table = parse_table_name(bad);
    EXPECT_FALSE(table) << bad;
    if (!table) {
      EXPECT_EQ(table.error().kind, ErrorClass::fatal) << bad;
    }
  }
}

TEST(TableName, NamesLongerThanPostgresAllowsAreRefused) {
  EXPECT_TRUE(parse_table_name(std::string(63, 'a')));
  EXPECT_FALSE(parse_table_name(std::string(64, 'a')));
  EXPECT_FALSE(parse_table_name("s." + std::string(64, 'a')));
}

}  // namespace
}  // namespace shardpipe::postgres_target
