// Which failures refuse a record, which are retried, and which stop the pipe.
#include "targets/postgres/sql_error.hpp"

#include <gtest/gtest.h>

namespace shardpipe::postgres_target {
namespace {

TEST(SqlError, RowsTheDatabaseRefusesAreDataErrors) {
  for (const char* state : {"22P02", "22P05", "22021", "23505", "23502", "54000"}) {
    EXPECT_EQ(classify_sqlstate(state), SqlErrorKind::data) << state;
  }
  EXPECT_EQ(error_class_of(SqlErrorKind::data), ErrorClass::permanent);
}

TEST(SqlError, ALostOrRestartingServerMeansReconnectAndRetry) {
  for (const char* state : {"", "08006", "08003", "57P01", "57P02", "57P03"}) {
    EXPECT_EQ(classify_sqlstate(state), SqlErrorKind::connection) << state;
  }
  EXPECT_EQ(error_class_of(SqlErrorKind::connection), ErrorClass::retriable);
}

TEST(SqlError, TransientConditionsAreRetried) {
  for (const char* state : {"40001", "40P01", "53100", "25006", "57014", "XX000"}) {
    EXPECT_EQ(classify_sqlstate(state), SqlErrorKind::transient) << state;
  }
  EXPECT_EQ(error_class_of(SqlErrorKind::transient), ErrorClass::retriable);
}

TEST(SqlError, ConfigurationMistakesAreFatal) {
  for (const char* state : {"28P01", "3D000", "3F000", "42P01", "42501", "42703"}) {
    EXPECT_EQ(classify_sqlstate(state), SqlErrorKind::configuration) << state;
  }
  EXPECT_EQ(error_class_of(SqlErrorKind::configuration), ErrorClass::fatal);
}

}  // namespace
}  // namespace shardpipe::postgres_target
