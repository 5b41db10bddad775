#include "targets/kinesis/partition_key.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <optional>

#include "core/json_text.hpp"

namespace shardpipe::kinesis_target {
namespace {

std::string_view trim_trailing_space(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// The field's value as a key, or nullopt when the record has no usable value for it.
std::optional<std::string> field_value(simdjson::ondemand::parser& parser, std::string_view json,
                                       std::string_view field) {
  using namespace simdjson;
  padded_string padded(json);
  ondemand::document document;
  ondemand::object object;
  ondemand::value value;
  ondemand::json_type type;
  if (parser.iterate(padded).get(document) != SUCCESS) return std::nullopt;
  if (document.get_object().get(object) != SUCCESS) return std::nullopt;
  if (object.find_field_unordered(field).get(value) != SUCCESS) return std::nullopt;
  if (value.type().get(type) != SUCCESS) return std::nullopt;
  std::string_view text;
  switch (type) {
    case ondemand::json_type::null:
      return std::nullopt;
    case ondemand::json_type::string:
      if (value.get_string().get(text) != SUCCESS) return std::nullopt;
      return std::string(text);
    case ondemand::json_type::object: {
      ondemand::object inner;
      if (value.get_object().get(inner) != SUCCESS || inner.raw_json().get(text) != SUCCESS) {
        return std::nullopt;
      }
      return std::string(trim_trailing_space(text));
    }
    case ondemand::json_type::array: {
      ondemand::array inner;
      if (value.get_array().get(inner) != SUCCESS || inner.raw_json().get(text) != SUCCESS) {
        return std::nullopt;
      }
      return std::string(trim_trailing_space(text));
    }
    default:  // number, boolean: the token as written
      return std::string(trim_trailing_space(value.raw_json_token()));
  }
}

}  // namespace

struct PartitionKeySelector::Parser {
  simdjson::ondemand::parser parser;
};

PartitionKeySelector::PartitionKeySelector(std::string field)
    : field_(std::move(field)), parser_(std::make_unique<Parser>()) {}
PartitionKeySelector::~PartitionKeySelector() = default;
PartitionKeySelector::PartitionKeySelector(PartitionKeySelector&&) noexcept = default;
PartitionKeySelector& PartitionKeySelector::operator=(PartitionKeySelector&&) noexcept = default;

Result<std::string> PartitionKeySelector::key_for(const Record& record) {
  std::string key;
  std::string origin;
  if (!field_.empty()) {
    if (auto value = field_value(parser_->parser, record.envelope, field_)) {
      key = std::move(*value);
      origin = fmt::format("field '{}'", field_);
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
