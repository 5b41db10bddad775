#include "targets/kinesis/partition_key.hpp"

#include <fmt/format.h>

#include <optional>

#include "core/json_text.hpp"

namespace shardpipe::kinesis_target {

PartitionKeySelector::PartitionKeySelector(std::string field) : field_name_(std::move(field)) {
  if (!field_name_.empty()) field_.emplace(field_name_);
}

Result<std::string> PartitionKeySelector::key_for(const Record& record) {
  std::string key;
  std::string origin;
  if (field_) {
    if (auto value = field_->value_in(record.envelope)) {
      key = std::move(*value);
      origin = fmt::format("field '{}'", field_name_);
    }
  }
  if (origin.empty()) {
    key = is_valid_utf8(record.partition_key) ? record.partition_key
                                              : base64_encode(record.partition_key);
    origin = "the record's own partition key";
  }
  const size_t length = utf16_length(key);
  if (length == 0 || length > max_partition_key_chars) {
    return fail(Error::permanent(
        fmt::format("the partition key from {} is {} characters long; Kinesis takes 1 to {}",
                    origin, length, max_partition_key_chars)));
  }
  return key;
}

size_t utf16_length(std::string_view text) {
  size_t units = 0;
  for (unsigned char byte : text) {
    if ((byte & 0xC0) == 0x80) continue;  // a continuation byte: counted with its lead byte
    units += byte >= 0xF0 ? 2 : 1;        // four-byte sequences need a surrogate pair
  }
  return units;
}

}  // namespace shardpipe::kinesis_target
