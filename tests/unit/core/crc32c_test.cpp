#include "core/crc32c.hpp"

#include <gtest/gtest.h>

#include <string>

namespace shardpipe {
namespace {

// Check values from RFC 3720 (iSCSI), appendix B.4.
TEST(Crc32c, MatchesRfc3720Vectors) {
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
}

TEST(Crc32c, ExtendsAcrossPieces) {
  std::string text = "the quick brown fox jumps over the lazy dog";
  uint32_t whole = crc32c(text);
  uint32_t pieces =
      crc32c_extend(crc32c_extend(0, text.data(), 10), text.data() + 10, text.size() - 10);
  EXPECT_EQ(whole, pieces);
}

}  // namespace
}  // namespace shardpipe
