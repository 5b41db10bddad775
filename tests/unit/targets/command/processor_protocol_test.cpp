// The record processor protocol without a process: the messages shardpipe writes, and how it
// reads the replies (status, responseFor, partial batch failures).
#include "targets/command/processor_protocol.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/json_text.hpp"

namespace shardpipe {
namespace {

namespace protocol = processor_protocol;
using Json = nlohmann::json;

Record record(uint64_t ordinal, const std::string& shard, const std::string& sequence) {
  Record r;
  r.ordinal = ordinal;
  r.sequence_number = sequence;
  r.event_id = shard + ":" + sequence;
  r.partition_key = "k" + sequence;
  r.envelope = Json{{"eventSource", "shardpipe:local"},
                    {"eventID", r.event_id},
                    {"sequenceNumber", sequence},
                    {"data", "eyJhIjoxfQ=="}}
                   .dump();
  return r;
}

std::vector<Record> batch_of(int count) {
  std::vector<Record> batch;
  for (int i = 0; i < count; ++i)
    batch.push_back(
        record(static_cast<uint64_t>(i), "shardId-000000000001", std::to_string(100 + i)));
  return batch;
}

TEST(ProcessorMessages, InitializeNamesTheShardAndTheProtocolVersion) {
  EXPECT_EQ(protocol::initialize_message("shardId-000000000003"),
            "{\"action\":\"initialize\",\"shardId\":\"shardId-000000000003\","
            "\"protocolVersion\":1}\n");
  // Whatever the id holds, the message stays one line of valid JSON.
  auto odd = protocol::initialize_message("orders-\"7\"\n");
  EXPECT_EQ(std::count(odd.begin(), odd.end(), '\n'), 1);
  EXPECT_EQ(Json::parse(odd)["shardId"], "orders-\"7\"\n");
}

TEST(ProcessorMessages, ProcessRecordsCarriesTheEnvelopesAsTheyAre) {
  auto batch = batch_of(2);
  EXPECT_EQ(protocol::process_records_message(batch),
            "{\"action\":\"processRecords\",\"records\":[" + batch[0].envelope + "," +
                batch[1].envelope + "]}\n");
  EXPECT_EQ(protocol::process_records_message({}),
            "{\"action\":\"processRecords\",\"records\":[]}\n");
}

TEST(ProcessorMessages, EnvelopesWithLineEndsStayOnOneLine) {
  Record pretty = record(0, "s", "1");
  pretty.envelope = "{\r\n  \"eventID\": \"s:1\",\n  \"data\": {\"text\": \"a\\nb\"}\n}";
  auto message = protocol::process_records_message(std::span(&pretty, 1));
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1);
  EXPECT_TRUE(message.ends_with("\n"));
  EXPECT_EQ(std::count(message.begin(), message.end(), '\r'), 0);
  auto parsed = Json::parse(message);
  EXPECT_EQ(parsed["records"][0], Json::parse(pretty.envelope));
}

TEST(ProcessorMessages, ActionsWithoutArguments) {
  EXPECT_EQ(protocol::action_message(protocol::shard_ended), "{\"action\":\"shardEnded\"}\n");
  EXPECT_EQ(protocol::action_message(protocol::lease_lost), "{\"action\":\"leaseLost\"}\n");
  EXPECT_EQ(protocol::action_message(protocol::shutdown_requested),
            "{\"action\":\"shutdownRequested\"}\n");
  EXPECT_EQ(protocol::close_action(CloseReason::shard_end), "shardEnded");
  EXPECT_EQ(protocol::close_action(CloseReason::lease_lost), "leaseLost");
  EXPECT_EQ(protocol::close_action(CloseReason::shutdown), "shutdownRequested");
}

TEST(ProcessorReplies, StatusForTheActionSentIsGood) {
  EXPECT_TRUE(protocol::check_status_reply(R"({"action":"status","responseFor":"initialize"})",
                                           protocol::initialize));
  // Field order, spaces and extra fields do not matter.
  EXPECT_TRUE(protocol::check_status_reply(
      R"( { "responseFor" : "processRecords", "action": "status", "note": [1, 2] } )",
      protocol::process_records));
}

TEST(ProcessorReplies, ReplyToAnotherActionIsOutOfStep) {
  auto checked = protocol::check_status_reply(R"({"action":"status","responseFor":"initialize"})",
                                              protocol::process_records);
  ASSERT_FALSE(checked);
  EXPECT_TRUE(checked.error().is_retriable());
  EXPECT_NE(checked.error().message.find("processRecords"), std::string::npos);
  EXPECT_NE(checked.error().message.find("initialize"), std::string::npos);
}

TEST(ProcessorReplies, LinesThatAreNotJsonObjectsAreOutOfStep) {
  for (std::string line : {"hello from print()", "", "[1,2]", "\"status\"", "{\"action\":", "42"}) {
    auto checked = protocol::check_status_reply(line, protocol::process_records);
    ASSERT_FALSE(checked) << line;
    EXPECT_TRUE(checked.error().is_retriable()) << line;
    EXPECT_NE(checked.error().message.find("not a JSON object"), std::string::npos)
        << checked.error().message;
  }
  auto checked = protocol::check_status_reply("hello from print()", protocol::process_records);
  EXPECT_NE(checked.error().message.find("'hello from print()'"), std::string::npos)
      << checked.error().message;
}

TEST(ProcessorReplies, StatusAndResponseForAreRequired) {
  for (std::string line :
       {R"({"responseFor":"initialize"})", R"({"action":"ok","responseFor":"initialize"})",
        R"({"action":"status"})", R"({"action":"status","responseFor":null})",
        R"({"action":"status","responseFor":1})"}) {
    auto checked = protocol::check_status_reply(line, protocol::initialize);
    ASSERT_FALSE(checked) << line;
    EXPECT_TRUE(checked.error().is_retriable());
  }
}

TEST(ProcessorReplies, NoFailuresMeansEveryRecordWasHandled) {
  auto batch = batch_of(3);
  for (std::string reply : {R"({"action":"status","responseFor":"processRecords"})",
                            R"({"action":"status","responseFor":"processRecords",
                                "batchItemFailures":null})",
                            R"({"action":"status","responseFor":"processRecords",
                                "batchItemFailures":[]})"}) {
    auto failures = protocol::failed_records(reply, batch);
    ASSERT_TRUE(failures) << reply << ": " << failures.error().message;
    EXPECT_TRUE(failures->empty()) << reply;
  }
}

std::vector<size_t> indices(const std::vector<ItemFailure>& failures) {
  std::vector<size_t> result;
  for (const auto& failure : failures) result.push_back(failure.index);
  return result;
}

TEST(ProcessorReplies, PartialFailuresByEventId) {
  auto batch = batch_of(4);
  auto failures = protocol::failed_records(
      R"({"action":"status","responseFor":"processRecords","batchItemFailures":[
           {"itemIdentifier":"shardId-000000000001:103"},
           {"itemIdentifier":"shardId-000000000001:101"}]})",
      batch);
  ASSERT_TRUE(failures) << failures.error().message;
  EXPECT_EQ(indices(*failures), (std::vector<size_t>{1, 3}));
  for (const auto& failure : *failures) EXPECT_TRUE(failure.error.is_retriable());
  EXPECT_NE((*failures)[0].error.message.find("shardId-000000000001:101"), std::string::npos);
}

TEST(ProcessorReplies, PartialFailuresBySequenceNumber) {
  auto batch = batch_of(4);
  auto failures = protocol::failed_records(
      R"({"action":"status","responseFor":"processRecords","batchItemFailures":[
           {"itemIdentifier":"102"},{"itemIdentifier":"102"},{"itemIdentifier":"100"}]})",
      batch);
  ASSERT_TRUE(failures) << failures.error().message;
  EXPECT_EQ(indices(*failures), (std::vector<size_t>{0, 2}));
}

TEST(ProcessorReplies, BadIdentifiersFailTheWholeBatch) {
  auto batch = batch_of(2);
  for (std::string list :
       {R"([{"itemIdentifier":null}])", R"([{"itemIdentifier":""}])", R"([{"itemIdentifier":100}])",
        R"([{"itemIdentifier":"999"}])", R"([{"itemIdentifier":"shardId-000000000002:100"}])",
        R"([{}])", R"(["100"])", R"({"itemIdentifier":"100"})", R"("100")"}) {
    auto failures = protocol::failed_records(
        R"({"action":"status","responseFor":"processRecords","batchItemFailures":)" + list + "}",
        batch);
    ASSERT_FALSE(failures) << list;
    EXPECT_TRUE(failures.error().is_retriable()) << list;
  }
}

TEST(ProcessorReplies, ExcerptsAreOneShortValidLine) {
  EXPECT_EQ(protocol::excerpt("a\tb"), "'a?b'");
  auto long_text = protocol::excerpt(std::string(500, 'x'));
  EXPECT_LT(long_text.size(), 140u);
  EXPECT_TRUE(long_text.ends_with("...'"));
  EXPECT_TRUE(is_valid_utf8(protocol::excerpt("caf\xC3\xA9 \xFF\xFE")));
  // Cut before a character that would be split.
  auto cut = protocol::excerpt(std::string(119, 'x') + "\xC3\xA9" + std::string(10, 'y'));
  EXPECT_TRUE(is_valid_utf8(cut)) << cut;
}

}  // namespace
}  // namespace shardpipe
