// DynamoDB Local as the peer of the DynamoDB Streams source: it starts in this program's private
// network namespace, is not reachable from outside it, and its stream holds what the independent
// client wrote, in order, with attribute values exact.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <vector>

#include "dynamodb_peer.hpp"
#include "dynamodb_streams_test.hpp"
#include "network_namespace.hpp"

namespace shardpipe::testing {
namespace {

namespace fs = std::filesystem;

[[maybe_unused]] ::testing::Environment* const private_network_namespace =
    ::testing::AddGlobalTestEnvironment(new PrivateNetworkWithDynamoDbLocal);

// The sequence numbers of one shard are decimal strings; longer is larger.
bool sequence_less(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

TEST(DynamoDbLocal, StreamHoldsInsertsModifyAndRemoveInOrder) {
  ASSERT_TRUE(in_private_network_namespace());
  auto dir = fresh_test_dir("dynamodb_local_stream");
  DynamoDbLocal server(dir);
  std::cout << "DynamoDB Local ready after " << server.startup_time().count() << " ms, "
            << server.resident_kib() / 1024 << " MiB resident\n";

  // Reachable here, not from the namespace the test program started in.
  EXPECT_TRUE(loopback_port_accepts(server.port()));
  bool reachable_outside = true;
  fs::path outside_namespace;
  run_in_original_network_namespace([&] {
    outside_namespace = fs::read_symlink("/proc/thread-self/ns/net");
    reachable_outside = loopback_port_accepts(server.port());
  });
  ASSERT_NE(outside_namespace, fs::read_symlink("/proc/thread-self/ns/net"));
  EXPECT_FALSE(reachable_outside) << "DynamoDB Local is reachable outside the private namespace";

  const std::string endpoint = server.endpoint();
  std::string arn = create_table(endpoint, "orders");
  EXPECT_NE(arn.find(":table/orders/stream/"), std::string::npos) << arn;

  auto put = put_items(endpoint, "orders", 20, 4);
  auto updated = update_item(endpoint, "orders", "key-1", "5");
  EXPECT_EQ(updated.at("n").at("N"), "1005");
  delete_item(endpoint, "orders", "key-2", "6");

  auto records = stream_records(endpoint, arn);
  ASSERT_EQ(records.size(), 22u);

  std::map<std::string, int> names;
  for (const auto& record : records) names[record.json.at("eventName").get<std::string>()]++;
  EXPECT_EQ(names, (std::map<std::string, int>{{"INSERT", 20}, {"MODIFY", 1}, {"REMOVE", 1}}));

  // Per partition key, the events in the order they were written.
  std::map<std::string, std::vector<std::string>> expected, actual;
  for (const auto& item : put) expected[item.pk].push_back("INSERT " + item.sk);
  expected["key-1"].push_back("MODIFY 5");
  expected["key-2"].push_back("REMOVE 6");
  for (const auto& record : records) {
    const auto& keys = record.json.at("dynamodb").at("Keys");
    actual[keys.at("pk").at("S").get<std::string>()].push_back(
        record.json.at("eventName").get<std::string>() + " " +
        keys.at("sk").at("N").get<std::string>());
  }
  EXPECT_EQ(actual, expected);

  // One shard: sequence numbers rise.
  for (size_t i = 1; i < records.size(); ++i) {
    EXPECT_TRUE(sequence_less(records[i - 1].json["dynamodb"]["SequenceNumber"],
                              records[i].json["dynamodb"]["SequenceNumber"]))
        << records[i - 1].raw << "\n"
        << records[i].raw;
  }

  // Images, and the large number exact, as a string, in what the service sent.
  const std::string big = R"("big":{"N":"12345678901234567890.123456789"})";
  for (const auto& record : records) {
    const auto& change = record.json.at("dynamodb");
    std::string name = record.json.at("eventName");
    EXPECT_EQ(change.contains("NewImage"), name != "REMOVE") << record.raw;
    EXPECT_EQ(change.contains("OldImage"), name != "INSERT") << record.raw;
    EXPECT_NE(record.raw.find(big), std::string::npos) << record.raw;
    const auto& image = change.contains("NewImage") ? change["NewImage"] : change["OldImage"];
    EXPECT_EQ(image.at("big").at("N"), "12345678901234567890.123456789");
  }
  const auto& modify = records[20].json.at("dynamodb");
  EXPECT_EQ(records[20].json["eventName"], "MODIFY");
  EXPECT_EQ(modify.at("OldImage").at("n").at("N"), "5");
  EXPECT_EQ(modify.at("NewImage").at("n").at("N"), "1005");
  EXPECT_EQ(records[21].json["eventName"], "REMOVE");

  // Disabling the stream closes its shard: the records stay readable and the shard ends.
  disable_stream(endpoint, "orders");
  auto description = describe_stream(endpoint, arn);
  EXPECT_EQ(description.at("StreamStatus"), "DISABLED");
  ASSERT_EQ(description.at("Shards").size(), 1u);
  EXPECT_EQ(description["Shards"][0]["SequenceNumberRange"]["EndingSequenceNumber"],
            records.back().json["dynamodb"]["SequenceNumber"]);
  EXPECT_EQ(stream_records(endpoint, arn).size(), 22u);
}

}  // namespace
}  // namespace shardpipe::testing
