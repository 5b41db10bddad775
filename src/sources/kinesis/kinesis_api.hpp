// The Kinesis Data Streams operations a source needs, typed: requests built and answers parsed
// here, sent through the AWS JSON client (signing, retries of throttling and 5xx).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aws/json_client.hpp"
#include "core/position.hpp"

namespace shardpipe::kinesis {

struct ShardInfo {
  std::string shard_id;
  std::vector<std::string> parent_shard_ids;  // ParentShardId, then AdjacentParentShardId
  bool open = true;                           // no EndingSequenceNumber yet
};

struct KinesisRecord {
  std::string sequence_number;
  std::string partition_key;
  std::string data;  // decoded from the answer's base64
  int64_t arrival_us = 0;
};

struct RecordsPage {
  std::vector<KinesisRecord> records;
  // Absent or null at the end of a closed shard (kinesalite omits it; AWS sends null).
  std::optional<std::string> next_iterator;
  std::optional<int64_t> millis_behind;
};

class KinesisApi {
 public:
  KinesisApi(aws::JsonClient client, std::string stream_name);

  aws::AwsResult<std::vector<ShardInfo>> list_shards();
  aws::AwsResult<std::string> stream_arn();
  aws::AwsResult<std::string> shard_iterator(const std::string& shard_id,
                                             const StartPosition& position);
  aws::AwsResult<RecordsPage> get_records(const std::string& iterator, int limit);

  const std::string& stream_name() const { return stream_name_; }

 private:
  aws::JsonClient client_;
  std::string stream_name_;
};

}  // namespace shardpipe::kinesis
