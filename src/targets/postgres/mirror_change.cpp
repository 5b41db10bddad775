#include "targets/postgres/mirror_change.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <utility>
#include <vector>

#include "core/json_text.hpp"
#include "targets/postgres/canonical_json.hpp"

namespace shardpipe::postgres_target {
namespace {

namespace ondemand = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

std::string_view trim_trailing_space(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// The top-level members of an object that mirror mode looks at: strings, and objects as their
// raw JSON text. Members of other types are left out.
struct Members {
  std::map<std::string, std::string, std::less<>> strings;
  std::map<std::string, std::string, std::less<>> objects;
  std::vector<std::string> nulls;

  const std::string* string(std::string_view name) const {
    auto found = strings.find(name);
    return found == strings.end() ? nullptr : &found->second;
  }
  const std::string* object(std::string_view name) const {
    auto found = objects.find(name);
    return found == objects.end() ? nullptr : &found->second;
  }
  bool is_null(std::string_view name) const {
    return std::ranges::find(nulls, name) != nulls.end();
  }
};

error_code read_members(std::string_view json, std::initializer_list<std::string_view> wanted,
                        Members& members) {
  thread_local ondemand::parser parser;
  simdjson::padded_string padded(json);
  ondemand::document document;
  ondemand::object object;
  if (auto error = parser.iterate(padded).get(document)) return error;
  if (auto error = document.get_object().get(object)) return error;
  for (auto member : object) {
    ondemand::field field;
    if (auto error = std::move(member).get(field)) return error;
    std::string_view name;
    if (auto error = field.unescaped_key().get(name)) return error;
    if (std::ranges::find(wanted, name) == wanted.end()) continue;
    std::string key(name);
    ondemand::value& value = field.value();
    ondemand::json_type type;
    if (auto error = value.type().get(type)) return error;
    if (type == ondemand::json_type::string) {
      std::string_view text;
      if (auto error = value.get_string().get(text)) return error;
      members.strings[key] = std::string(text);
    } else if (type == ondemand::json_type::object) {
      ondemand::object inner;
      std::string_view text;
      if (auto error = value.get_object().get(inner)) return error;
      if (auto error = inner.raw_json().get(text)) return error;
      members.objects[key] = std::string(trim_trailing_space(text));
    } else if (type == ondemand::json_type::null) {
      members.nulls.push_back(key);
    }
  }
  return SUCCESS;
}

Error unreadable(const Record& record, error_code error) {
  return Error::permanent(fmt::format("record {} is not a JSON object mirror mode can read ({})",
                                      record.event_id, simdjson::error_message(error)));
}

Result<MirrorChange> dynamodb_change(const Record& record, const Members& envelope) {
  const std::string* stream_record = envelope.object("dynamodb");
  if (stream_record == nullptr) {
    return fail(Error::permanent(
        fmt::format("DynamoDB record {} has no \"dynamodb\" object", record.event_id)));
  }
  Members inner;
  if (auto error = read_members(*stream_record,
                                {"Keys", "NewImage", "SequenceNumber", "StreamViewType"}, inner)) {
    return fail(unreadable(record, error));
  }

  MirrorChange change;
  const std::string* keys = envelope.object("keys");
  if (keys == nullptr) keys = inner.object("Keys");
  if (keys == nullptr) {
    return fail(Error::permanent(fmt::format("DynamoDB record {} has no Keys", record.event_id)));
  }
  auto key = canonical_json(*keys);
  if (!key) return fail(std::move(key.error()));
  change.key = std::move(*key);

  const std::string* event_name = envelope.string("eventName");
  if (event_name != nullptr && *event_name == "REMOVE") {
    change.item = std::nullopt;
  } else if (event_name != nullptr && (*event_name == "INSERT" || *event_name == "MODIFY")) {
    const std::string* image = envelope.object("newImage");
    if (image == nullptr) image = inner.object("NewImage");
    if (image == nullptr) {
      const std::string* view = inner.string("StreamViewType");
      return fail(Error::permanent(fmt::format(
          "DynamoDB record {} ({}) has no NewImage (stream view type {}): mirror mode needs a "
          "stream with NEW_IMAGE or NEW_AND_OLD_IMAGES",
          record.event_id, *event_name, view ? *view : std::string("unknown"))));
    }
    change.item = *image;
  } else {
    return fail(Error::permanent(
        fmt::format("DynamoDB record {} has eventName {}; mirror mode knows INSERT, MODIFY and "
                    "REMOVE",
                    record.event_id, event_name ? *event_name : std::string("(none)"))));
  }

  const std::string* sequence = inner.string("SequenceNumber");
  auto position = parse_sequence_position(sequence ? *sequence : record.sequence_number);
  if (!position) return fail(std::move(position.error()));
  change.position = std::move(*position);
  return change;
}

}  // namespace

Result<MirrorChange> mirror_change(const Record& record) {
  Members envelope;
  if (auto error = read_members(
          record.envelope, {"eventSource", "eventName", "dynamodb", "keys", "newImage", "data"},
          envelope)) {
    return fail(unreadable(record, error));
  }
  const std::string* source = envelope.string("eventSource");
  if (source != nullptr && *source == "aws:dynamodb") return dynamodb_change(record, envelope);

  if (record.partition_key.empty()) {
    return fail(Error::permanent(fmt::format(
        "record {} has no partition key: mirror mode keys each row by it", record.event_id)));
  }
  if (!is_valid_utf8(record.partition_key)) {
    return fail(Error::permanent(fmt::format(
        "record {} has a partition key that is not UTF-8 text: mirror mode stores it as the key",
        record.event_id)));
  }
  auto position = parse_sequence_position(record.sequence_number);
  if (!position) return fail(std::move(position.error()));
  MirrorChange change;
  change.key = record.partition_key;
  if (!envelope.is_null("data")) change.item = record.envelope;
  change.position = std::move(*position);
  return change;
}

}  // namespace shardpipe::postgres_target
