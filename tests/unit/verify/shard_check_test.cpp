// ShardCheck: one shard's records against the occurrences found in the output, without files.
#include "verify/shard_check.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "verify/sequence_order.hpp"

namespace shardpipe::verify {
namespace {

std::vector<Occurrence> in_target(std::initializer_list<int> sequences) {
  std::vector<Occurrence> found;
  for (int s : sequences) found.push_back({std::to_string(s), FoundIn::target});
  return found;
}

std::vector<Occurrence> in_target_range(int first, int last) {
  std::vector<Occurrence> found;
  for (int s = first; s <= last; ++s) found.push_back({std::to_string(s), FoundIn::target});
  return found;
}

// Feeds records first..last (minus `absent`), with `filtered` dropped by the filter.
ShardReport run(ShardCheck check, int first, int last, const std::set<int>& filtered = {},
                const std::set<int>& absent = {}) {
  for (int s = first; s <= last; ++s) {
    if (absent.contains(s)) continue;
    check.add(std::to_string(s), [&] { return filtered.contains(s); });
  }
  return std::move(check).finish();
}

TEST(SequenceOrder, ComparesAsNumbersOfAnyLength) {
  EXPECT_TRUE(sequence_less("9", "10"));
  EXPECT_TRUE(sequence_less("0009", "10"));
  EXPECT_EQ(compare_sequences("007", "7"), std::strong_ordering::equal);
  EXPECT_TRUE(sequence_less("49000000000000000000000000000000000000000000000000000123",
                            "49000000000000000000000000000000000000000000000000000124"));
  EXPECT_FALSE(sequence_less("100", "99"));
}

TEST(SequenceOrder, UserRecordsOfAnAggregateComeInOrderBeforeTheWholeRecord) {
  EXPECT_TRUE(sequence_less("10:0", "10:1"));
  EXPECT_TRUE(sequence_less("10:9", "10:10"));
  EXPECT_TRUE(sequence_less("9", "10:0"));
  EXPECT_TRUE(sequence_less("10:99", "10"));  // the checkpoint after the aggregate's last
  EXPECT_TRUE(sequence_less("10", "11:0"));
  EXPECT_EQ(compare_sequences("10:07", "10:7"), std::strong_ordering::equal);
}

// The user records of aggregate 20 are 20:0..20:3; the checkpoint "20:1" covers two of them.
TEST(ShardCheck, UserRecordsOfAnAggregateAreCheckedOneByOne) {
  std::vector<Occurrence> found{{"10", FoundIn::target},   {"20:0", FoundIn::target},
                                {"20:1", FoundIn::target}, {"20:2", FoundIn::target},
                                {"20:2", FoundIn::target}, {"30", FoundIn::target}};
  ShardCheck check("s", ExpectFrom::trim_horizon, ExpectUntil::through("20:1"), found);
  for (const char* sequence : {"10", "20:0", "20:1", "20:2", "20:3", "30"}) {
    check.add(sequence, [] { return false; });
  }
  auto report = std::move(check).finish();
  EXPECT_EQ(report.expected, 3u);
  EXPECT_EQ(report.in_target, 3u);
  EXPECT_EQ(report.beyond_checkpoint, 2u);
  EXPECT_EQ(report.duplicates.first, (std::vector<std::string>{"20:2"}));

  // A plain checkpoint at the aggregate covers all of its user records.
  ShardCheck whole("s", ExpectFrom::trim_horizon, ExpectUntil::through("20"), {});
  for (const char* sequence : {"10", "20:0", "20:1", "30"})
    whole.add(sequence, [] { return false; });
  auto missing = std::move(whole).finish();
  EXPECT_EQ(missing.expected, 3u);
  ASSERT_EQ(missing.gaps.size(), 1u);
  EXPECT_EQ(missing.gaps[0].first, "10");
  EXPECT_EQ(missing.gaps[0].last, "20:1");
}

TEST(ShardCheck, EveryRecordOnceIsClean) {
  auto report = run(
      ShardCheck("s", ExpectFrom::trim_horizon, ExpectUntil::shard_end(), in_target_range(1, 10)),
      1, 10);
  EXPECT_EQ(report.expected, 10u);
  EXPECT_EQ(report.in_target, 10u);
  EXPECT_EQ(report.missing, 0u);
  EXPECT_EQ(report.gap_count, 0u);
  EXPECT_EQ(report.duplicates.count, 0u);
  EXPECT_EQ(report.unexpected.count, 0u);
  EXPECT_EQ(report.first_expected, "1");
}

TEST(ShardCheck, MissingRecordsFormExactRanges) {
  auto found = in_target({1, 2, 3, 7, 8, 10});
  auto report =
      run(ShardCheck("s", ExpectFrom::trim_horizon, ExpectUntil::shard_end(), found), 1, 10);
  EXPECT_EQ(report.missing, 4u);
  ASSERT_EQ(report.gap_count, 2u);
  EXPECT_EQ(report.gaps[0].first, "4");
  EXPECT_EQ(report.gaps[0].last, "6");
  EXPECT_EQ(report.gaps[0].records, 3u);
  EXPECT_EQ(report.gaps[1].first, "9");
  EXPECT_EQ(report.gaps[1].last, "9");
  EXPECT_EQ(report.expected,
            report.in_target + report.dead_lettered + report.filtered + report.missing);
}

TEST(ShardCheck, RangesFollowTheShardsActualRecords) {
  // The shard holds 10, 20, 30, 40: a gap of two records is 20..30, whatever lies between.
  ShardCheck check("s", ExpectFrom::trim_horizon, ExpectUntil::shard_end(), in_target({10, 40}));
  for (int s : {10, 20, 30, 40}) check.add(std::to_string(s), [] { return false; });
  auto report = std::move(check).finish();
  ASSERT_EQ(report.gaps.size(), 1u);
  EXPECT_EQ(report.gaps[0].first, "20");
  EXPECT_EQ(report.gaps[0].last, "30");
  EXPECT_EQ(report.gaps[0].records, 2u);
}

TEST(ShardCheck, FilteredRecordsAreExpectedNowhereAndDoNotBreakAGap) {
  auto report = run(ShardCheck("s", ExpectFrom::trim_horizon, ExpectUntil::shard_end(),
                               in_target({1, 2, 3, 7, 8})),
                    1, 8, /*filtered=*/{2, 5});
  EXPECT_EQ(report.filtered, 1u) << "2 is in the target, so it counts as found, not filtered";
  EXPECT_EQ(report.in_target, 5u);
  EXPECT_EQ(report.missing, 2u);
  ASSERT_EQ(report.gaps.size(), 1u);
  EXPECT_EQ(report.gaps[0].first, "4");
  EXPECT_EQ(report.gaps[0].last, "6");
  EXPECT_EQ(report.gaps[0].records, 2u);
}

TEST(ShardCheck, DeadLetteredRecordsCountAndBreakAGap) {
  auto found = in_target({1, 3});
  found.push_back({"2", FoundIn::dead_letter});
  found.push_back({"5", FoundIn::dead_letter});
  auto report =
      run(ShardCheck("s", ExpectFrom::trim_horizon, ExpectUntil::shard_end(), found), 1, 6);
  EXPECT_EQ(report.in_target, 2u);
  EXPECT_EQ(report.dead_lettered, 2u);
  EXPECT_EQ(report.missing, 2u);
  EXPECT_EQ(report.gap_count, 2u) << "4 and 6 are separated by the dead-lettered 5";
}

TEST(ShardCheck, TheFilterIsAskedOnlyForExpectedRecordsFoundNowhere) {
  int asked = 0;
  ShardCheck check("s", ExpectFrom::trim_horizon, ExpectUntil::through("3"), in_target({1, 5}));
  for (int s = 1; s <= 6; ++s) check.add(std::to_string(s), [&] { return ++asked, true; });
  auto report = std::move(check).finish();
  EXPECT_EQ(asked, 2) << "records 2 and 3";
  EXPECT_EQ(report.filtered, 2u);
}

TEST(ShardCheck, DuplicatesAcrossTargetAndDeadLettersAreListedCappedInOrder) {
  std::vector<Occurrence> found = in_target_range(1, 40);
  for (int s = 40; s >= 11; --s) found.push_back({std::to_string(s), FoundIn::target});
  found.push_back({"3", FoundIn::dead_letter});
  auto report =
      run(ShardCheck("s", ExpectFrom::trim_horizon, ExpectUntil::shard_end(), found), 1, 40);
  EXPECT_EQ(report.duplicates.count, 31u);
  ASSERT_EQ(report.duplicates.first.size(), max_listed_sequences);
  EXPECT_EQ(report.duplicates.first[0], "3");
  EXPECT_EQ(report.duplicates.first[1], "11");
  EXPECT_EQ(report.in_target, 40u) << "a duplicate is still one record found";
}

TEST(ShardCheck, RepeatedDeadLetterEntriesAreNotDuplicates) {
  // Dead-letter entries are written at least once; only the target promises exactly once.
  auto found = in_target({1, 3});
  for (int copy = 0; copy < 2; ++copy) found.push_back({"2", FoundIn::dead_letter});
  auto report =
      run(ShardCheck("s", ExpectFrom::trim_horizon, ExpectUntil::shard_end(), found), 1, 3);
  EXPECT_EQ(report.duplicates.count, 0u);
  EXPECT_EQ(report.repeated_dead_letters.count, 1u);
  EXPECT_EQ(report.repeated_dead_letters.first, (std::vector<std::string>{"2"}));
  EXPECT_EQ(report.dead_lettered, 1u);
}

TEST(ShardCheck, OutputThatTheShardDoesNotHoldIsUnexpected) {
  // The shard holds 5..10 without 7; the output names 2 (trimmed), 7 (twice) and 99.
  auto found = in_target_range(5, 10);
  found.push_back({"2", FoundIn::target});
  found.push_back({"99", FoundIn::dead_letter});
  found.push_back({"7", FoundIn::target});
  auto report = run(ShardCheck("s", ExpectFrom::trim_horizon, ExpectUntil::shard_end(), found), 5,
                    10, {}, /*absent=*/{7});
  EXPECT_EQ(report.below_trim_horizon, 1u);
  EXPECT_EQ(report.unexpected.count, 2u);
  EXPECT_EQ(report.unexpected.first, (std::vector<std::string>{"7", "99"}));
  EXPECT_EQ(report.duplicates.count, 1u);
  EXPECT_EQ(report.missing, 0u);
}

TEST(ShardCheck, OutputPastTheCheckpointIsCountedNotExpected) {
  auto report = run(
      ShardCheck("s", ExpectFrom::trim_horizon, ExpectUntil::through("5"), in_target_range(1, 8)),
      1, 10);
  EXPECT_EQ(report.expected, 5u);
  EXPECT_EQ(report.in_target, 5u);
  EXPECT_EQ(report.beyond_checkpoint, 3u);
  EXPECT_EQ(report.missing, 0u);
}

TEST(ShardCheck, NoCheckpointExpectsNothing) {
  auto report = run(
      ShardCheck("s", ExpectFrom::trim_horizon, ExpectUntil::nothing(), in_target({1, 2})), 1, 10);
  EXPECT_EQ(report.expected, 0u);
  EXPECT_EQ(report.beyond_checkpoint, 2u);
  EXPECT_EQ(report.gap_count, 0u);
}

TEST(ShardCheck, AnUnknownStartIsAnchoredAtTheEarliestRecordInTheOutput) {
  auto report = run(ShardCheck("s", ExpectFrom::earliest_output, ExpectUntil::shard_end(),
                               in_target({4, 5, 6, 9, 10})),
                    1, 10);
  EXPECT_EQ(report.first_expected, "4");
  EXPECT_EQ(report.expected, 7u);
  ASSERT_EQ(report.gaps.size(), 1u);
  EXPECT_EQ(report.gaps[0].first, "7");
  EXPECT_EQ(report.gaps[0].last, "8");
  EXPECT_FALSE(report.notes.empty());

  auto nothing_found =
      run(ShardCheck("s", ExpectFrom::earliest_output, ExpectUntil::shard_end(), {}), 1, 10);
  EXPECT_EQ(nothing_found.expected, 0u);
  ASSERT_EQ(nothing_found.notes.size(), 1u);
  EXPECT_NE(nothing_found.notes[0].find("unknown"), std::string::npos);
}

TEST(ShardCheck, StopsWantingRecordsPastTheCheckpointAndTheOutput) {
  ShardCheck check("s", ExpectFrom::trim_horizon, ExpectUntil::through("3"), in_target({1, 2, 5}));
  for (int s = 1; s <= 4; ++s) check.add(std::to_string(s), [] { return false; });
  EXPECT_TRUE(check.wants_more()) << "5 is still to be matched";
  check.add("5", [] { return false; });
  EXPECT_FALSE(check.wants_more());

  ShardCheck to_the_end("s", ExpectFrom::trim_horizon, ExpectUntil::shard_end(), {});
  to_the_end.add("1", [] { return false; });
  EXPECT_TRUE(to_the_end.wants_more());
}

TEST(ShardCheck, GapListingsAreCappedButCounted) {
  std::vector<Occurrence> found;
  for (int s = 0; s <= 400; s += 2) found.push_back({std::to_string(s), FoundIn::target});
  auto report =
      run(ShardCheck("s", ExpectFrom::trim_horizon, ExpectUntil::shard_end(), found), 0, 400);
  EXPECT_EQ(report.gap_count, 200u);
  EXPECT_EQ(report.gaps.size(), max_listed_gaps);
  EXPECT_EQ(report.missing, 200u);
}

}  // namespace
}  // namespace shardpipe::verify
