// Kinesis records handed out as the pipeline's records: plain ones as they are, KPL aggregates as
// their user records with sub-sequence eventIDs and checkpoint values, a few at a time, and a
// resume inside an aggregate dropping what its checkpoint covers.
#include "sources/kinesis/user_record_queue.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <string>

namespace shardpipe::kinesis {
namespace {

using nlohmann::json;

const std::string shard = "shardId-000000000001";
const std::string seq_a = "49590338271490256608559692538361571095921575989136588801";
const std::string seq_b = "49590338271490256608559692538361571095921575989136588802";
const std::string seq_c = "49590338271490256608559692538361571095921575989136588803";

std::string varint(uint64_t value) {
  std::string out;
  do {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    out.push_back(static_cast<char>(value ? byte | 0x80 : byte));
  } while (value);
  return out;
}

std::string field(int number, std::string_view bytes) {
  return varint(static_cast<uint64_t>(number) << 3 | 2) + varint(bytes.size()) + std::string(bytes);
}

// A KPL aggregate of `users` {key, data}, written by hand: magic, protobuf, MD5.
std::string aggregate(const std::vector<std::pair<std::string, std::string>>& users) {
  std::string message;
  for (size_t i = 0; i < users.size(); ++i) message += field(1, users[i].first);
  message += field(1, "spare");  // so that an aggregate of no records still holds some protobuf
  for (size_t i = 0; i < users.size(); ++i) {
    message += field(3, varint(1 << 3) + varint(i) + field(3, users[i].second));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(message.data(), message.size(), digest, &size, EVP_md5(), nullptr);
  return "\xF3\x89\x9A\xC2" + message + std::string(reinterpret_cast<char*>(digest), size);
}

KinesisRecord kinesis_record(std::string sequence, std::string key, std::string data) {
  return {std::move(sequence), std::move(key), std::move(data), 1700000000123456};
}

UserRecordQueue make_queue() {
  return UserRecordQueue(
      shard, StreamEnvelopeWriter("aws:kinesis", shard, "arn:aws:kinesis:us-east-1:1:stream/s",
                                  "us-east-1", config::DataEncoding::text));
}

std::vector<Record> take_all(UserRecordQueue& queue, size_t per_take = 1000) {
  std::vector<Record> out;
  while (!queue.empty()) queue.take(per_take, 1 << 20, out);
  return out;
}

std::vector<std::string> field_of(const std::vector<Record>& records, std::string Record::*member) {
  std::vector<std::string> out;
  for (const auto& record : records) out.push_back(record.*member);
  return out;
}

TEST(UserRecordQueue, PlainRecordsPassAsTheyAre) {
  auto queue = make_queue();
  queue.push({kinesis_record(seq_a, "k1", "one"), kinesis_record(seq_b, "k2", "two")});
  auto records = take_all(queue);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(field_of(records, &Record::sequence_number), (std::vector{seq_a, seq_b}));
  EXPECT_EQ(records[0].event_id, shard + ":" + seq_a);
  auto envelope = json::parse(records[0].envelope);
  EXPECT_EQ(envelope["sequenceNumber"], seq_a);
  EXPECT_FALSE(envelope.contains("subSequenceNumber")) << envelope.dump();
  EXPECT_EQ(envelope["partitionKey"], "k1");
  EXPECT_EQ(envelope["data"], "one");
}

TEST(UserRecordQueue, AnAggregateBecomesItsUserRecordsWithSubSequenceCheckpoints) {
  auto queue = make_queue();
  queue.push({kinesis_record(seq_a, "k0", "before"),
              kinesis_record(seq_b, "k1", aggregate({{"k1", "u0"}, {"k2", "u1"}, {"k1", "u2"}})),
              kinesis_record(seq_c, "k3", "after")});
  auto records = take_all(queue);
  ASSERT_EQ(records.size(), 5u);
  // Inside the aggregate "SEQ:N" says how far in it is; its last record completes it.
  EXPECT_EQ(field_of(records, &Record::sequence_number),
            (std::vector{seq_a, seq_b + ":0", seq_b + ":1", seq_b, seq_c}));
  EXPECT_EQ(
      field_of(records, &Record::event_id),
      (std::vector{shard + ":" + seq_a, shard + ":" + seq_b + ":0", shard + ":" + seq_b + ":1",
                   shard + ":" + seq_b + ":2", shard + ":" + seq_c}));
  EXPECT_EQ(field_of(records, &Record::partition_key),
            (std::vector<std::string>{"k0", "k1", "k2", "k1", "k3"}));
  for (int sub = 0; sub < 3; ++sub) {
    const auto& record = records[1 + sub];
    auto envelope = json::parse(record.envelope);
    EXPECT_EQ(envelope["eventID"], record.event_id);
    EXPECT_EQ(envelope["sequenceNumber"], seq_b) << envelope.dump();
    EXPECT_EQ(envelope["subSequenceNumber"], sub);
    EXPECT_EQ(envelope["partitionKey"], record.partition_key);
    EXPECT_EQ(envelope["data"], "u" + std::to_string(sub));
    EXPECT_EQ(envelope["approximateArrivalTimestamp"], 1700000000.123456);
  }
}

TEST(UserRecordQueue, AnAggregateIsHandedOutAFewRecordsAtATime) {
  auto queue = make_queue();
  std::vector<std::pair<std::string, std::string>> users;
  for (int i = 0; i < 7; ++i) users.push_back({"k", "u" + std::to_string(i)});
  queue.push({kinesis_record(seq_a, "k", aggregate(users)), kinesis_record(seq_b, "k", "plain")});
  std::vector<Record> out;
  queue.take(3, 1 << 20, out);
  EXPECT_EQ(out.size(), 3u);
  queue.take(3, 1 << 20, out);
  EXPECT_EQ(out.size(), 6u);
  queue.take(3, 1 << 20, out);
  ASSERT_EQ(out.size(), 8u);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(out[5].sequence_number, seq_a + ":5");
  EXPECT_EQ(out[6].sequence_number, seq_a);
  EXPECT_EQ(out[7].sequence_number, seq_b);
  // A byte budget stops a take early, after at least one record.
  queue.push({kinesis_record(seq_c, "k", aggregate(users))});
  std::vector<Record> small;
  queue.take(100, 1, small);
  EXPECT_EQ(small.size(), 1u);
}

TEST(UserRecordQueue, ResumingInsideAnAggregateDropsWhatTheCheckpointCovers) {
  auto queue = make_queue();
  queue.resume_inside(seq_a, 1);
  queue.push(
      {kinesis_record(seq_a, "k", aggregate({{"k", "u0"}, {"k", "u1"}, {"k", "u2"}, {"k", "u3"}})),
       kinesis_record(seq_b, "k", aggregate({{"k", "v0"}, {"k", "v1"}}))});
  auto records = take_all(queue, 1);
  EXPECT_EQ(field_of(records, &Record::sequence_number),
            (std::vector{seq_a + ":2", seq_a, seq_b + ":0", seq_b}));
}

TEST(UserRecordQueue, ResumingPastAnAggregatesLastRecordDropsAllOfIt) {
  auto queue = make_queue();
  queue.resume_inside(seq_a, 5);
  queue.push({kinesis_record(seq_a, "k", aggregate({{"k", "u0"}, {"k", "u1"}})),
              kinesis_record(seq_b, "k", "plain")});
  EXPECT_EQ(field_of(take_all(queue), &Record::sequence_number), (std::vector{seq_b}));
}

TEST(UserRecordQueue, ACheckpointInsideARecordThatIsNoAggregateDeliversItWhole) {
  auto queue = make_queue();
  queue.resume_inside(seq_a, 0);
  queue.push({kinesis_record(seq_a, "k", "plain"), kinesis_record(seq_b, "k", "next")});
  EXPECT_EQ(field_of(take_all(queue), &Record::sequence_number), (std::vector{seq_a, seq_b}));
}

TEST(UserRecordQueue, ACheckpointedAggregateTrimmedAwaySkipsNothingElse) {
  auto queue = make_queue();
  queue.resume_inside(seq_a, 0);
  queue.push({kinesis_record(seq_b, "k", aggregate({{"k", "v0"}, {"k", "v1"}}))});
  EXPECT_EQ(field_of(take_all(queue), &Record::sequence_number),
            (std::vector{seq_b + ":0", seq_b}));
}

TEST(UserRecordQueue, AnAggregateOfNoUserRecordsDeliversNothing) {
  auto queue = make_queue();
  queue.push({kinesis_record(seq_a, "k", aggregate({})), kinesis_record(seq_b, "k", "plain")});
  EXPECT_EQ(field_of(take_all(queue), &Record::sequence_number), (std::vector{seq_b}));
}

TEST(UserRecordQueue, AUserRecordThatDoesNotDecodeFailsAlone) {
  auto queue = make_queue();
  queue.push({kinesis_record(seq_a, "k", aggregate({{"k", "ok"}, {"k", "\xff\xfe"}}))});
  auto records = take_all(queue);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_FALSE(records[0].decode_failed);
  EXPECT_TRUE(records[1].decode_failed);
  EXPECT_EQ(records[1].raw_data, "\xff\xfe");
  EXPECT_EQ(records[1].sequence_number, seq_a);
  EXPECT_EQ(records[1].event_id, shard + ":" + seq_a + ":1");
}

}  // namespace
}  // namespace shardpipe::kinesis
