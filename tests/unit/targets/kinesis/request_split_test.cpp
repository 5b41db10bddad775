// Cutting a batch into PutRecords requests: at most 500 records and 5 MiB each, consecutive
// ranges covering the batch, records that are not sent inside the ranges.
#include "targets/kinesis/request_split.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace shardpipe::kinesis_target {
namespace {

using Sizes = std::vector<std::optional<size_t>>;

void expect_covers(const std::vector<PlannedRequest>& requests, size_t size) {
  size_t next = 0;
  for (const auto& request : requests) {
    EXPECT_EQ(request.begin, next);
    EXPECT_GT(request.end, request.begin);
    next = request.end;
    EXPECT_LE(request.entries.size(), max_records_per_request);
    EXPECT_LE(request.bytes, max_request_bytes);
  }
  EXPECT_EQ(next, size);
}

TEST(RequestSplit, AnEmptyBatchNeedsNoRequest) {
  EXPECT_TRUE(split_requests(Sizes{}).empty());
}

TEST(RequestSplit, ASmallBatchIsOneRequest) {
  Sizes sizes(3, 100);
  auto requests = split_requests(sizes);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].entries, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(requests[0].bytes, 300u);
  expect_covers(requests, 3);
}

TEST(RequestSplit, AtMost500RecordsPerRequest) {
  Sizes sizes(1201, 10);
  auto requests = split_requests(sizes);
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].entries.size(), 500u);
  EXPECT_EQ(requests[1].entries.size(), 500u);
  EXPECT_EQ(requests[2].entries.size(), 201u);
  EXPECT_EQ(requests[1].begin, 500u);
  EXPECT_EQ(requests[1].entries.front(), 500u);
  expect_covers(requests, 1201);
}

TEST(RequestSplit, AtMost5MiBPerRequest) {
  // Five records of exactly 1 MiB fill a request; the sixth starts the next.
  Sizes sizes(11, max_record_data_bytes);
  auto requests = split_requests(sizes);
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].entries.size(), 5u);
  EXPECT_EQ(requests[0].bytes, max_request_bytes);
  EXPECT_EQ(requests[1].entries.size(), 5u);
  EXPECT_EQ(requests[2].entries.size(), 1u);
  expect_covers(requests, 11);

  Sizes uneven = {3 * 1024 * 1024, 2 * 1024 * 1024 + 1, 10};
  auto split = split_requests(uneven);
  ASSERT_EQ(split.size(), 2u);
  EXPECT_EQ(split[0].entries, (std::vector<size_t>{0}));
  EXPECT_EQ(split[1].entries, (std::vector<size_t>{1, 2}));
  expect_covers(split, 3);
}

TEST(RequestSplit, RecordsNotSentStayInsideTheRangesButCountForNothing) {
  Sizes sizes(1003, 10);
  sizes[0] = std::nullopt;
  sizes[600] = std::nullopt;
  sizes[1002] = std::nullopt;
  auto requests = split_requests(sizes);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].entries.front(), 1u);
  EXPECT_EQ(requests[0].entries.size(), 500u);
  EXPECT_EQ(requests[0].end, 501u);
  EXPECT_EQ(requests[1].entries.size(), 500u);  // 501..1001 without 600
  EXPECT_TRUE(std::ranges::find(requests[1].entries, 600u) == requests[1].entries.end());
  EXPECT_EQ(requests[1].end, 1003u);  // the last record, not sent, closes the last range
  expect_covers(requests, 1003);
}

TEST(RequestSplit, ABatchOfRecordsNotSentIsOneRangeWithoutEntries) {
  Sizes sizes(4, std::nullopt);
  auto requests = split_requests(sizes);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].entries.empty());
  expect_covers(requests, 4);
}

}  // namespace
}  // namespace shardpipe::kinesis_target
