// The JSON of a PutRecords request: {"StreamName":..,"Records":[{"Data":<base64>,
// "PartitionKey":..},..]}, written straight into one string (the data may be megabytes).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace shardpipe::kinesis_target {

struct PutEntry {
  std::string_view data;           // the record's bytes: base64-encoded into "Data"
  std::string_view partition_key;  // valid UTF-8
};

std::string put_records_body(std::string_view stream_name, std::span<const PutEntry> entries);

}  // namespace shardpipe::kinesis_target
