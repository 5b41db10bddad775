#include "targets/kafka/message_key.hpp"

namespace shardpipe::kafka_target {

MessageKeySelector::MessageKeySelector(std::string field) {
  if (!field.empty()) field_.emplace(field);
}

std::string MessageKeySelector::key_for(const Record& record) {
  if (!field_) return record.partition_key;
  if (auto key = field_->value_in(record.envelope)) return std::move(*key);
  return record.partition_key;
}

}  // namespace shardpipe::kafka_target
