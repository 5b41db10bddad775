#include "targets/batch_item_failures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

#include "core/sequence_number.hpp"

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

// The records of the batch by eventID, and by the sequence number their envelope shows: the user
// records of one KPL aggregate share it (their checkpoint values "SEQ:N" are not shown), so a
// sequence number names all of them.
struct Identifiers {
  std::unordered_map<std::string_view, size_t> by_event_id;
  std::unordered_multimap<std::string_view, size_t> by_sequence;

  explicit Identifiers(std::span<const Record> batch) {
    by_event_id.reserve(batch.size());
    by_sequence.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!batch[i].event_id.empty()) by_event_id.emplace(batch[i].event_id, i);
      auto sequence = split_sub_sequence(batch[i].sequence_number).first;
      if (!sequence.empty()) by_sequence.emplace(sequence, i);
    }
  }

  // eventIDs win where the two kinds of identifier could collide.
  bool find(std::string_view identifier, std::vector<size_t>& indices) const {
    if (auto match = by_event_id.find(identifier); match != by_event_id.end()) {
      indices.push_back(match->second);
      return true;
    }
    auto [first, last] = by_sequence.equal_range(identifier);
    for (auto at = first; at != last; ++at) indices.push_back(at->second);
    return first != last;
  }
};

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

  const Identifiers identifiers(batch);
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
    if (!identifiers.find(text, indices)) {
      return fail(bad_reply(fmt::format(
          "itemIdentifier {} is neither the eventID nor the sequence number of a record of the "
          "batch",
          describe(*identifier))));
    }
  }
  std::ranges::sort(indices);
  const auto duplicates = std::ranges::unique(indices);
  indices.erase(duplicates.begin(), duplicates.end());
  return indices;
}

}  // namespace shardpipe
