#include "targets/batch_item_failures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

namespace shardpipe {
namespace {

using Json = nlohmann::json;

// Quoted and shortened, so that a message stays one readable line whatever the reply holds.
std::string describe(const Json& value) {
  std::string text = value.dump(-1, ' ', true, Json::error_handler_t::replace);
  constexpr size_t limit = 80;
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

Error bad_reply(const std::string& why) {
  return Error::retriable("the partial batch response is not usable, so the whole batch failed: " +
                          why);
}

// eventID and sequence number of every record, to its index in the batch.
std::unordered_map<std::string_view, size_t> index_identifiers(std::span<const Record> batch) {
  std::unordered_map<std::string_view, size_t> by_identifier;
  by_identifier.reserve(batch.size() * 2);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].sequence_number.empty()) by_identifier.emplace(batch[i].sequence_number, i);
  }
  // eventIDs win where the two kinds of identifier could collide.
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].event_id.empty()) by_identifier.insert_or_assign(batch[i].event_id, i);
  }
  return by_identifier;
}

}  // namespace

Result<std::vector<size_t>> parse_batch_item_failures(std::string_view reply,
                                                      std::span<const Record> batch) {
  const Json body = Json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return std::vector<size_t>{};
  const auto list = body.find("batchItemFailures");
  if (list == body.end() || list->is_null()) return std::vector<size_t>{};
  if (!list->is_array()) {
    return fail(bad_reply("batchItemFailures must be a list, got " + describe(*list)));
  }

  const auto by_identifier = index_identifiers(batch);
  std::vector<size_t> indices;
  indices.reserve(list->size());
  for (const Json& item : *list) {
    if (!item.is_object()) {
      return fail(bad_reply("an entry of batchItemFailures is not an object: " + describe(item)));
    }
    const auto identifier = item.find("itemIdentifier");
    if (identifier == item.end() || identifier->is_null()) {
      return fail(bad_reply("an itemIdentifier is missing or null"));
    }
    if (!identifier->is_string()) {
      return fail(bad_reply("itemIdentifier " + describe(*identifier) + " is not a string"));
    }
    const auto& text = identifier->get_ref<const std::string&>();
    if (text.empty()) return fail(bad_reply("an itemIdentifier is empty"));
    const auto match = by_identifier.find(text);
    if (match == by_identifier.end()) {
      return fail(bad_reply(fmt::format(
          "itemIdentifier {} is neither the eventID nor the sequence number of a record of the "
          "batch",
          describe(*identifier))));
    }
    indices.push_back(match->second);
  }
  std::ranges::sort(indices);
  const auto duplicates = std::ranges::unique(indices);
  indices.erase(duplicates.begin(), duplicates.end());
  return indices;
}

}  // namespace shardpipe
