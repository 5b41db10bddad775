// The DynamoDB Streams operations a source needs, typed: requests built and answers parsed here,
// sent through the AWS JSON client (signing, retries of throttling and 5xx). Also DescribeTable,
// to find a table's stream.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/json_client.hpp"
#include "core/position.hpp"

namespace shardpipe::dynamodb {

struct ShardInfo {
  std::string shard_id;
  std::string parent_shard_id;  // empty for a shard without a parent still listed
  bool open = true;             // no EndingSequenceNumber yet
};

struct StreamInfo {
  std::string status;     // ENABLING | ENABLED | DISABLING | DISABLED
  std::string view_type;  // KEYS_ONLY | NEW_IMAGE | OLD_IMAGE | NEW_AND_OLD_IMAGES
  std::vector<ShardInfo> shards;
};

// One stream record: its text byte for byte as the service sent it, and what the source needs of
// it.
struct StreamRecord {
  std::string_view text;  // into RecordsPage::body
  std::string event_id;
  std::string sequence_number;
  int64_t created_ms = 0;  // ApproximateCreationDateTime (rounded down by the service)
  std::string item_key;    // the item's primary key as text: the order of changes is per item
  bool names_source_arn = false;  // the record has its own eventSourceARN (the service's do not)
};

// One GetRecords answer; `body` owns the records' text.
struct RecordsPage {
  std::string body;
  std::vector<StreamRecord> records;
  // Null or absent: the end of a closed shard. An empty page with an iterator is not the end.
  std::optional<std::string> next_iterator;
};

class StreamsApi {
 public:
  StreamsApi(aws::JsonClient client, std::string stream_arn);

  // Every shard, DescribeStream's pages followed (ExclusiveStartShardId, LastEvaluatedShardId).
  aws::AwsResult<StreamInfo> describe_stream();
  // `position` must not be at_timestamp: DynamoDB Streams has no such iterator.
  aws::AwsResult<std::string> shard_iterator(const std::string& shard_id,
                                             const StartPosition& position);
  aws::AwsResult<RecordsPage> get_records(const std::string& iterator, int limit);

 private:
  aws::JsonClient client_;
  std::string stream_arn_;
};

// The table's LatestStreamArn (DescribeTable, on a client for DynamoDB itself). A table without
// an enabled stream is a fatal error that says so.
aws::AwsResult<std::string> latest_stream_arn(aws::JsonClient& dynamodb, const std::string& table);

}  // namespace shardpipe::dynamodb
