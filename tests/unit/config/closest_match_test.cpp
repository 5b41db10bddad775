#include "config/closest_match.hpp"

#include <gtest/gtest.h>

#include <array>

namespace shardpipe::config {
namespace {

constexpr std::array<std::string_view, 5> kKeys = {"batch_size", "bootstrap_servers", "path",
                                                   "topics", "maximum_batching_window"};

TEST(ClosestMatch, IgnoresCaseAndSeparators) {
  EXPECT_EQ(closest_match("batchsize", kKeys), "batch_size");
  EXPECT_EQ(closest_match("BatchSize", kKeys), "batch_size");
  EXPECT_EQ(closest_match("bootstrap-servers", kKeys), "bootstrap_servers");
}

TEST(ClosestMatch, AllowsAFewEditsForLongerWords) {
  EXPECT_EQ(closest_match("pth", kKeys), "path");
  EXPECT_EQ(closest_match("topic", kKeys), "topics");
  EXPECT_EQ(closest_match("maximum_batch_window", kKeys), "maximum_batching_window");
  EXPECT_EQ(closest_match("bacth_size", kKeys), "batch_size");  // transposition
}

TEST(ClosestMatch, SuggestsNothingForUnrelatedWords) {
  EXPECT_EQ(closest_match("colour", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("x", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("", kKeys), std::nullopt);
}

}  // namespace
}  // namespace shardpipe::config
