// Mirror mode orders the changes of a key by sequence number, compared as numbers of any length,
// and by sub-sequence for records of a KPL aggregate.
#include "targets/postgres/sequence_position.hpp"

#include <gtest/gtest.h>

namespace shardpipe::postgres_target {
namespace {

SequencePosition at(std::string_view text) {
  auto position = parse_sequence_position(text);
  EXPECT_TRUE(position) << text << ": " << position.error().message;
  return position.value_or(SequencePosition{});
}

TEST(SequencePosition, ComparesByValueNotByText) {
  EXPECT_LT(at("9"), at("10"));
  EXPECT_LT(at("000000000000000000009"), at("10"));
  EXPECT_EQ(at("0042"), at("42"));
  EXPECT_EQ(at("0042").sequence, "42");
  EXPECT_EQ(at("0000").sequence, "0");
  // Kinesis sequence numbers are 56 digits, far past 64 bits.
  EXPECT_LT(at("49590338271490256608559692538361571095921575989136588898"),
            at("49590338271490256608559692538361571095921575989136588899"));
  EXPECT_LT(at("99999999999999999999999999999999999999999999999999999999"),
            at("100000000000000000000000000000000000000000000000000000000"));
}

TEST(SequencePosition, SubRecordsOfAnAggregateComeInOrderAndBeforeItsLastRecord) {
  EXPECT_LT(at("500:0"), at("500:1"));
  EXPECT_LT(at("500:1"), at("500:10"));
  // The aggregate's last sub-record is checkpointed as the plain sequence number.
  EXPECT_LT(at("500:10"), at("500"));
  EXPECT_LT(at("500"), at("501:0"));
  EXPECT_EQ(at("500:3").sub_sequence, 3);
}

TEST(SequencePosition, AnythingElseIsAPermanentError) {
  for (const char* bad : {"", "abc", "12a", "-1", "1:2:3", ":1", "1:", "1:9223372036854775807",
                          "1:99999999999999999999"}) {
    auto position = parse_sequence_position(bad);
    EXPECT_FALSE(position) << bad;
    if (!position) {
      EXPECT_EQ(position.error().kind, ErrorClass::permanent);
    }
  }
}

}  // namespace
}  // namespace shardpipe::postgres_target
