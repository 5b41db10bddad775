// The binary text[] parameter, byte for byte as PostgreSQL's array_recv reads it.
#include "targets/postgres/text_array.hpp"

#include <gtest/gtest.h>

namespace shardpipe::postgres_target {
namespace {

std::string int32(uint32_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
          static_cast<char>(value >> 8), static_cast<char>(value)};
}

TEST(TextArray, ElementsFollowAOneDimensionHeader) {
  TextArray array;
  array.add("ab");
  array.add("");
  array.add(std::string_view("x\0y", 3));
  std::string expected = int32(1) + int32(0) + int32(25) + int32(3) + int32(1) + int32(2) + "ab" +
                         int32(0) + int32(3) + std::string("x\0y", 3);
  EXPECT_EQ(array.bytes(), expected);
  EXPECT_EQ(array.size(), 3u);
}

TEST(TextArray, NullsAreFlaggedInTheHeader) {
  TextArray array;
  array.add("a");
  array.add_null();
  std::string expected =
      int32(1) + int32(1) + int32(25) + int32(2) + int32(1) + int32(1) + "a" + int32(0xffffffff);
  EXPECT_EQ(array.bytes(), expected);
}

TEST(TextArray, AnEmptyArrayHasNoDimensions) {
  TextArray array;
  EXPECT_EQ(array.bytes(), int32(0) + int32(0) + int32(25));
}

}  // namespace
}  // namespace shardpipe::postgres_target
