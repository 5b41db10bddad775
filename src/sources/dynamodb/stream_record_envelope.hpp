// The envelope of a DynamoDB Streams record (CONTRACT section 3): the record exactly as the
// service sent it, byte for byte, with the stream's eventSourceARN added (as Lambda adds it); with
// data_encoding json also `keys`, `newImage` and `oldImage` as plain JSON
// (attribute_values.hpp), for filters and targets.
#pragma once

#include <string>

#include "config/pipe_config.hpp"
#include "core/record.hpp"
#include "sources/dynamodb/dynamodb_streams_api.hpp"

namespace shardpipe::dynamodb {

class StreamRecordEnvelope {
 public:
  StreamRecordEnvelope(std::string stream_arn, config::DataEncoding encoding);

  // A record whose attribute values cannot be made plain JSON comes back with decode_failed,
  // the reason, and its text as the raw data.
  Record render(const StreamRecord& record) const;

 private:
  std::string arn_member_;  // ,"eventSourceARN":"..."
  bool plain_images_;
};

}  // namespace shardpipe::dynamodb
