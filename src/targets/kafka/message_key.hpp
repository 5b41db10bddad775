// The key each record is produced with (docs/kafka-target.md):
// - without key_field: the record's own partition key, so that the default partitioner puts all
//   records of a key in one partition, in order;
// - with it: the value of that field of the delivered JSON (the envelope, or what the transform
//   made of it): a string as it is, any other value as its JSON text as written. `key_field` is a
//   top-level field name, or a dotted path into nested objects (`data.customer`); a record that
//   is not a JSON object, or has no such field (or null), keeps its own key.
#pragma once

#include <optional>
#include <string>

#include "core/record.hpp"
#include "targets/record_field.hpp"

namespace shardpipe::kafka_target {

class MessageKeySelector {
 public:
  // `field` empty: every record keeps its own key.
  explicit MessageKeySelector(std::string field);

  std::string key_for(const Record& record);

 private:
  std::optional<RecordField> field_;  // one selector per sink: the field's parser is reused
};

}  // namespace shardpipe::kafka_target
