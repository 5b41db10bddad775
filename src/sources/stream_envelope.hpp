// The envelope of CONTRACT section 3 for the local log and Kinesis: one JSON object per record,
// with data as data_encoding asks. Both sources render through it, so their envelopes differ
// only in eventSource, eventSourceARN and awsRegion.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/pipe_config.hpp"
#include "core/record.hpp"

namespace shardpipe {

struct StreamRecordView {
  std::string_view partition_key;  // raw bytes; rendered as text, or base64 if not UTF-8
  std::string sequence_number;
  int64_t arrival_us = 0;  // Unix microseconds
  std::string_view data;
  std::string event_id_suffix;  // appended to "<shard>:<sequence>", e.g. ":3" for a sub-record
  // A record de-aggregated from a KPL aggregate: its index there, as "subSequenceNumber".
  std::optional<uint64_t> sub_sequence_number;
};

class StreamEnvelopeWriter {
 public:
  StreamEnvelopeWriter(std::string_view event_source, std::string shard_id,
                       std::string_view source_arn, std::string_view region,
                       config::DataEncoding encoding);

  // A record whose data does not decode as data_encoding asks comes back with decode_failed,
  // its error and its raw data, and no envelope.
  Record render(StreamRecordView in) const;

 private:
  std::string head_;    // {"eventSource":"...","eventID":"
  std::string middle_;  // ","eventName":...,"partitionKey":
  std::string shard_id_;
  config::DataEncoding encoding_;
};

}  // namespace shardpipe
