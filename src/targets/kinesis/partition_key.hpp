// The partition key each record is put to Kinesis with (docs/kinesis-target.md):
// - without partition_key_field: the record's own partition key (base64 when it is not UTF-8,
//   as the envelope shows it);
// - with it: that field of the delivered JSON (the envelope, or what the transform made of it;
//   a top-level name or a dotted path, record_field.hpp): a string as it is, any other value as
//   its JSON text as written. A record that is not a JSON object, or whose field is missing or
//   null, keeps its own key.
// Kinesis takes keys of 1 to 256 characters: any other key is a permanent error naming where the
// key came from, rather than a silent substitute that would change which records share a shard.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/record.hpp"
#include "core/result.hpp"
#include "targets/record_field.hpp"

namespace shardpipe::kinesis_target {

constexpr size_t max_partition_key_chars = 256;

class PartitionKeySelector {
 public:
  // `field` empty: every record keeps its own key.
  explicit PartitionKeySelector(std::string field);

  Result<std::string> key_for(const Record& record);

 private:
  std::string field_name_;
  std::optional<RecordField> field_;  // one selector per sink: the field's parser is reused
};

// The length of UTF-8 `text` in UTF-16 code units, as Kinesis (Java) and kinesalite (JavaScript)
// count a key's characters; never less than the count of code points, so a key within the limit
// here is within it under either reading.
size_t utf16_length(std::string_view text);

}  // namespace shardpipe::kinesis_target
