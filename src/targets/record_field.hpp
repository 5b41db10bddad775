// A field of a delivered record (the envelope, or what the transform made of it), for targets that
// take a key from it (the kinesis target's partition key, the kafka target's message key).
// The field is a top-level name, or a dotted path into nested objects (data.customer); a name
// that itself holds dots is found as it is first.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace shardpipe {

class RecordField {
 public:
  explicit RecordField(std::string_view field);  // not empty
  ~RecordField();
  RecordField(RecordField&&) noexcept;
  RecordField& operator=(RecordField&&) noexcept;

  // A string as it is, any other value as its JSON text as written; nullopt when the record is
  // not JSON or the field is missing or null.
  std::optional<std::string> value_in(std::string_view json);

 private:
  struct Parser;  // reused from record to record: one RecordField per thread
  std::string top_level_pointer_;
  std::string path_pointer_;  // empty: the field has no dots
  std::unique_ptr<Parser> parser_;
};

}  // namespace shardpipe
