// The PutRecords request body: the stream, and each record's bytes in base64 with its key.
#include "targets/kinesis/put_records_body.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace shardpipe::kinesis_target {
namespace {

TEST(PutRecordsBody, NamesTheStreamAndEncodesEachRecord) {
  std::vector<PutEntry> entries = {{R"({"a":1})", "key-1"}, {"", "k\"\xc3\xa9"}};
  auto body = put_records_body("orders-out", entries);
  EXPECT_EQ(body, R"({"StreamName":"orders-out","Records":[)"
                  R"({"Data":"eyJhIjoxfQ==","PartitionKey":"key-1"},)"
                  R"({"Data":"","PartitionKey":"k\")"
                  "\xc3\xa9"
                  R"("}]})");
  auto parsed = nlohmann::json::parse(body);
  EXPECT_EQ(parsed["Records"][1]["PartitionKey"], "k\"\xc3\xa9");
}

}  // namespace
}  // namespace shardpipe::kinesis_target
