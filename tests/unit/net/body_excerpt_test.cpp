#include "net/body_excerpt.hpp"

#include <gtest/gtest.h>

#include <string>

namespace shardpipe::net {
namespace {

TEST(BodyExcerpt, KeepsAShortBodyAsItIs) {
  EXPECT_EQ(body_excerpt(R"({"message":"quota exceeded"})"), R"({"message":"quota exceeded"})");
  EXPECT_EQ(body_excerpt(""), "");
}

TEST(BodyExcerpt, MakesOneLine) {
  EXPECT_EQ(body_excerpt("<html>\r\n  <body>\tBad gateway</body>\n</html>\n"),
            "<html> <body> Bad gateway</body> </html>");
}

TEST(BodyExcerpt, CutsLongBodies) {
  std::string body(1000, 'x');
  auto excerpt = body_excerpt(body);
  EXPECT_EQ(excerpt, std::string(200, 'x') + "...");
  EXPECT_EQ(body_excerpt("abcdef", 3), "abc...");
}

TEST(BodyExcerpt, StaysValidUtf8) {
  // "é" is two bytes; a cut between them must not leave half a character.
  EXPECT_EQ(body_excerpt("aé", 2), "a?...");
  EXPECT_EQ(body_excerpt("café"), "café");
  EXPECT_EQ(body_excerpt(std::string("bin\xff\xfe", 5)), "bin??");
}

}  // namespace
}  // namespace shardpipe::net
