// The DSN is described in messages without its password, in either syntax, and a DSN libpq
// cannot read is refused without quoting any part of it.
#include "targets/postgres/connection_string.hpp"

#include <gtest/gtest.h>

namespace shardpipe::postgres_target {
namespace {

TEST(ConnectionString, KeyValueFormIsDescribedWithoutThePassword) {
  auto dsn =
      parse_connection_string("host=db.example port=5433 dbname=shop user=app password=s3cr3t!");
  ASSERT_TRUE(dsn) << dsn.error().message;
  EXPECT_EQ(dsn->describe(), "host db.example port 5433 database shop user app");
  EXPECT_EQ(dsn->redact("FATAL: password s3cr3t! is wrong"), "FATAL: password *** is wrong");
}

TEST(ConnectionString, UriPasswordsAreRedactedAsWrittenAndDecoded) {
  auto dsn = parse_connection_string("postgresql://app:p%40ss%2Fw@127.0.0.1:6543/warehouse");
  ASSERT_TRUE(dsn) << dsn.error().message;
  EXPECT_EQ(dsn->describe(), "host 127.0.0.1 port 6543 database warehouse user app");
  EXPECT_EQ(dsn->redact("a p%40ss%2Fw b p@ss/w c"), "a *** b *** c");
}

TEST(ConnectionString, MissingPartsAreLibpqDefaults) {
  auto dsn = parse_connection_string("postgresql:///warehouse");
  ASSERT_TRUE(dsn) << dsn.error().message;
  EXPECT_EQ(dsn->describe(), "host (default) port (default) database warehouse user (default)");
  EXPECT_TRUE(dsn->secrets.empty());
}

TEST(ConnectionString, AnUnreadableDsnIsFatalAndQuotesNothingOfIt) {
  for (const char* bad :
       {"host=x password hunter2secret", "postgresql://u:hunter2secret@h/db?x=%zz",
        "bogus_option=hunter2secret"}) {
    auto dsn = parse_connection_string(bad);
    ASSERT_FALSE(dsn) << bad;
    EXPECT_EQ(dsn.error().kind, ErrorClass::fatal);
    EXPECT_EQ(dsn.error().message.find("hunter2secret"), std::string::npos) << dsn.error().message;
    EXPECT_NE(dsn.error().message.find("target.dsn"), std::string::npos) << dsn.error().message;
  }
}

TEST(ConnectionString, MaskQuotedHidesEveryQuotedFragment) {
  EXPECT_EQ(mask_quoted(R"(missing "=" after "secret" in connection info string)"),
            "missing \"…\" after \"…\" in connection info string");
}

}  // namespace
}  // namespace shardpipe::postgres_target
