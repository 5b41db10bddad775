// Records aggregated by the Kinesis Producer Library (KPL): one Kinesis record whose data is the
// magic 0xF3 0x89 0x9A 0xC2, a protobuf AggregatedRecord holding many user records, and the MD5
// of the protobuf bytes. Parsed with protobuf's wire-format reader, so no generated code is
// needed.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace shardpipe::kinesis {

// One user record of an aggregate; both views point into the data given to deaggregate_kpl().
struct KplUserRecord {
  std::string_view partition_key;
  std::string_view data;
};

// The user records of a KPL aggregate, in order; nullopt when `data` is not one: no magic, an
// MD5 that does not match, a protobuf that does not parse, a required field missing or a key
// index outside its table. As the KCL does, such a record is delivered as it is. Explicit hash
// keys and tags are parsed (and checked) but not returned.
std::optional<std::vector<KplUserRecord>> deaggregate_kpl(std::string_view data);

}  // namespace shardpipe::kinesis
