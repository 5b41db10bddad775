// The key each record is produced with (docs/kafka-target.md):
// - without key_field: the record's own partition key, so that the default partitioner puts all
//   records of a key in one partition, in order;
// - with it: the value of that field of the delivered JSON (the envelope, or what the transform
//   made of it): a string as it is, any other value as its JSON text as written. `key_field` is a
//   top-level field name, or a dotted path into nested objects (`data.customer`); a record that
//   is not a JSON object, or has no such field (or null), keeps its own key.
#pragma once

#include <memory>
#include <string>

#include "core/record.hpp"

namespace shardpipe::kafka_target {

class MessageKeySelector {
 public:
  // `field` empty: every record keeps its own key.
  explicit MessageKeySelector(std::string field);
  ~MessageKeySelector();
  MessageKeySelector(MessageKeySelector&&) noexcept;
  MessageKeySelector& operator=(MessageKeySelector&&) noexcept;

  std::string key_for(const Record& record);

 private:
  struct Parser;  // a JSON parser reused from record to record: one selector per sink
  std::string top_level_pointer_;  // the field as one name
  std::string path_pointer_;       // the field as a dotted path; empty without a dot
  std::unique_ptr<Parser> parser_;
};

}  // namespace shardpipe::kafka_target
