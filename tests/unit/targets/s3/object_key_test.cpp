#include "targets/s3/object_key.hpp"

#include <gtest/gtest.h>

#include "targets/file/file_target.hpp"
#include "targets/s3/object_upload.hpp"

namespace shardpipe::s3 {
namespace {

TEST(ObjectKey, PrefixShardAndPaddedFirstSequence) {
  EXPECT_EQ(object_key("pipes/orders/", "shardId-000000000001", "42", Compression::none),
            "pipes/orders/shardId-000000000001/00000000000000000042.jsonl");
  EXPECT_EQ(object_key("", "shardId-000000000001", "42", Compression::gzip),
            "shardId-000000000001/00000000000000000042.jsonl.gz");
  EXPECT_EQ(object_key("x-", "s", "42", Compression::zstd), "x-s/00000000000000000042.jsonl.zst");
}

TEST(ObjectKey, NamesObjectsAsTheFileTargetNamesFiles) {
  for (const std::string sequence :
       {"0", "42", "49590338271490256608559692538361571095921575989136588898",
        "49590338271490256608559692538361571095921575989136588898:7"}) {
    EXPECT_EQ(object_key("", "s", sequence, Compression::none), "s/" + file_target_name(sequence));
  }
}

TEST(ObjectKey, KplSubSequencesKeepKeyOrderAsRecordOrder) {
  const auto key = [](const std::string& sequence) {
    return object_key("p/", "s", sequence, Compression::gzip);
  };
  EXPECT_EQ(key("123456789012345678901234:12"), "p/s/123456789012345678901234-0000000012.jsonl.gz");
  EXPECT_LT(key("123456789012345678901234:9"), key("123456789012345678901234:12"));
  EXPECT_LT(key("123456789012345678901234:12"), key("123456789012345678901234"));
  EXPECT_LT(key("123456789012345678901234"), key("123456789012345678901235:0"));
  EXPECT_LT(key("99"), key("100"));
}

TEST(PlanParts, EqualPartsAndAShorterLastOne) {
  constexpr size_t mib = 1 << 20;
  auto parts = plan_parts(20 * mib, 8 * mib);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].offset, 0u);
  EXPECT_EQ(parts[0].size, 8 * mib);
  EXPECT_EQ(parts[1].offset, 8 * mib);
  EXPECT_EQ(parts[2].offset, 16 * mib);
  EXPECT_EQ(parts[2].size, 4 * mib);
  EXPECT_EQ(plan_parts(16 * mib, 8 * mib).size(), 2u);
  EXPECT_TRUE(plan_parts(0, 8 * mib).empty());
}

TEST(PlanParts, GrowsPartsBeyondTenThousand) {
  const size_t size = 10'001 * 100;
  auto parts = plan_parts(size, 100);
  EXPECT_LE(parts.size(), max_parts);
  size_t covered = 0;
  for (const auto& part : parts) {
    EXPECT_EQ(part.offset, covered);
    covered += part.size;
  }
  EXPECT_EQ(covered, size);
}

}  // namespace
}  // namespace shardpipe::s3
