#include "core/units.hpp"

#include <gtest/gtest.h>

#include <string>

namespace shardpipe {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, AcceptsEveryUnit) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds{250});
  EXPECT_EQ(parse_duration("10s"), milliseconds{10'000});
  EXPECT_EQ(parse_duration("5m"), milliseconds{300'000});
  EXPECT_EQ(parse_duration("1h"), milliseconds{3'600'000});
  EXPECT_EQ(parse_duration("7d"), milliseconds{604'800'000});
}

TEST(ParseDuration, AcceptsZeroWithAndWithoutUnit) {
  EXPECT_EQ(parse_duration("0"), milliseconds{0});
  EXPECT_EQ(parse_duration("0s"), milliseconds{0});
  EXPECT_EQ(parse_duration("0ms"), milliseconds{0});
}

TEST(ParseDuration, AddsCompoundParts) {
  EXPECT_EQ(parse_duration("1h30m"), milliseconds{5'400'000});
  EXPECT_EQ(parse_duration("1s500ms"), milliseconds{1'500});
}

TEST(ParseDuration, RejectsMalformedText) {
  for (const char* text : {"", "10", "s", "-1s", "-1", "+5s", "1.5s", "10 s", " 10s", "10s ",
                           "5min", "10S", "1h30", "ms10", "1e3ms", "99999999999999999999s"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
  }
}

TEST(ParseDuration, RejectsOverflow) {
  EXPECT_EQ(parse_duration("200000000000000d"), std::nullopt);
}

TEST(FormatDuration, UsesTheLargestExactUnit) {
  EXPECT_EQ(format_duration(milliseconds{0}), "0s");
  EXPECT_EQ(format_duration(milliseconds{250}), "250ms");
  EXPECT_EQ(format_duration(milliseconds{1'500}), "1500ms");
  EXPECT_EQ(format_duration(milliseconds{30'000}), "30s");
  EXPECT_EQ(format_duration(milliseconds{90'000}), "90s");
  EXPECT_EQ(format_duration(milliseconds{300'000}), "5m");
  EXPECT_EQ(format_duration(milliseconds{3'600'000}), "1h");
  EXPECT_EQ(format_duration(milliseconds{604'800'000}), "7d");
  EXPECT_EQ(format_duration(milliseconds{-1'000}), "-1s");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (int64_t ms : {1, 999, 1'000, 61'000, 3'600'000, 86'400'000, 123'456'789}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds{ms})), milliseconds{ms}) << ms;
  }
}

TEST(ParseSize, AcceptsBinaryAndDecimalUnits) {
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("100B"), 100u);
  EXPECT_EQ(parse_size("512KiB"), 512ull * 1024);
  EXPECT_EQ(parse_size("6MiB"), 6ull * 1024 * 1024);
  EXPECT_EQ(parse_size("1GiB"), 1024ull * 1024 * 1024);
  EXPECT_EQ(parse_size("2TiB"), 2ull << 40);
  EXPECT_EQ(parse_size("5KB"), 5'000u);
  EXPECT_EQ(parse_size("6MB"), 6'000'000u);
  EXPECT_EQ(parse_size("1GB"), 1'000'000'000u);
  EXPECT_EQ(parse_size("0"), 0u);
}

TEST(ParseSize, RejectsMalformedText) {
  for (const char* text : {"", "MiB", "6 MiB", "6mib", "6Mi", "-1", "1.5MiB", "6MiB ", "0x10",
                           "99999999999TiB", "6MiBx"}) {
    EXPECT_EQ(parse_size(text), std::nullopt) << text;
  }
}

TEST(FormatSize, PrefersBinaryUnits) {
  EXPECT_EQ(format_size(0), "0B");
  EXPECT_EQ(format_size(6ull * 1024 * 1024), "6MiB");
  EXPECT_EQ(format_size(512ull * 1024), "512KiB");
  EXPECT_EQ(format_size(1'000), "1KB");
  EXPECT_EQ(format_size(1'500), "1500B");
  EXPECT_EQ(format_size(1ull << 30), "1GiB");
}

TEST(ParseRfc3339, ReadsUtcTimestamps) {
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-22T10:00:00Z"), 1'795'341'600'000);
  EXPECT_EQ(parse_rfc3339_ms("2000-02-29T23:59:59Z"), 951'868'799'000);
}

TEST(ParseRfc3339, AppliesOffsets) {
  EXPECT_EQ(parse_rfc3339_ms("2026-11-22T12:00:00+02:00"),
            parse_rfc3339_ms("2026-11-22T10:00:00Z"));
  EXPECT_EQ(parse_rfc3339_ms("2026-11-22T04:30:00-05:30"),
            parse_rfc3339_ms("2026-11-22T10:00:00Z"));
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:00+00:01"), -60'000);
}

TEST(ParseRfc3339, KeepsMillisecondsOfFractions) {
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:00.250Z"), 250);
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:00.5Z"), 500);
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:01.123456789Z"), 1'123);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-22T10:00:00.250+02:00"), 1'795'334'400'250);
}

TEST(ParseRfc3339, AcceptsLowercaseAndSpaceSeparator) {
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01t00:00:01z"), 1'000);
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01 00:00:01Z"), 1'000);
}

TEST(ParseRfc3339, RejectsMalformedText) {
  for (const char* text :
       {"", "2026-11-22", "2026-11-22T10:00:00", "2026-11-22T10:00Z", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-22T24:00:00Z",
        "2026-11-22T10:60:00Z", "2026-11-22T10:00:61Z", "2026-11-22T10:00:00.Z",
        "2026-11-22T10:00:00+2:00", "2026-11-22T10:00:00+02", "2026-11-22T10:00:00+24:00",
        "2026-11-22T10:00:00Z trailing", "26-11-22T10:00:00Z", "2026/11/22T10:00:00Z",
        "yesterday"}) {
    EXPECT_EQ(parse_rfc3339_ms(text), std::nullopt) << text;
  }
}

TEST(FormatRfc3339, WritesUtcWithMilliseconds) {
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(1'795'341'600'250), "2026-11-22T10:00:00.250Z");
  EXPECT_EQ(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
}

TEST(FormatRfc3339, RoundTripsThroughParse) {
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{951'868'799'000}, int64_t{1'795'341'600'250},
                     int64_t{-86'400'001}}) {
    EXPECT_EQ(parse_rfc3339_ms(format_rfc3339_ms(ms)), ms) << ms;
  }
}

}  // namespace
}  // namespace shardpipe
