#include "targets/kinesis/put_records_answer.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <unordered_set>

namespace shardpipe::kinesis_target {
namespace {

Error malformed(std::string_view detail) {
  return Error::retriable(fmt::format("Kinesis PutRecords: unexpected answer: {}", detail));
}

std::string string_member(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<std::vector<EntryResult>> parse_put_records_answer(std::string_view body, size_t sent) {
  const auto answer = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) return fail(malformed("not a JSON object"));
  auto records = answer.find("Records");
  if (records == answer.end() || !records->is_array()) return fail(malformed("no Records array"));
  if (records->size() != sent) {
    return fail(malformed(fmt::format("{} results for {} records", records->size(), sent)));
  }
  std::vector<EntryResult> results;
  results.reserve(sent);
  for (const auto& record : *records) {
    if (!record.is_object()) return fail(malformed("a result that is not an object"));
    EntryResult result{string_member(record, "ErrorCode"), string_member(record, "ErrorMessage")};
    if (result.error_code.empty() && string_member(record, "SequenceNumber").empty()) {
      return fail(malformed("a result with neither ErrorCode nor SequenceNumber"));
    }
    results.push_back(std::move(result));
  }
  return results;
}

ErrorClass entry_error_class(std::string_view code) {
  if (code == "ProvisionedThroughputExceededException" || code == "InternalFailure" ||
      code == "KMSThrottlingException") {
    return ErrorClass::retriable;
  }
  return ErrorClass::permanent;
}

RequestResults map_results(std::span<const size_t> entries, std::span<const std::string_view> keys,
                           std::span<const EntryResult> results) {
  RequestResults mapped;
  std::unordered_set<std::string_view> refused_keys;
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& result = results[i];
    if (!result.error_code.empty()) {
      refused_keys.insert(keys[i]);
      std::string message =
          result.error_message.empty()
              ? fmt::format("Kinesis PutRecords: record refused: {}", result.error_code)
              : fmt::format("Kinesis PutRecords: record refused: {}: {}", result.error_code,
                            result.error_message);
      mapped.failed.push_back(
          {entries[i], Error{entry_error_class(result.error_code), std::move(message)}});
    } else if (refused_keys.contains(keys[i])) {
      mapped.failed.push_back(
          {entries[i], Error::retriable("Kinesis PutRecords: written ahead of an earlier record of "
                                        "its partition key that was refused; sent again after "
                                        "it to keep the key's order")});
    } else {
      mapped.delivered.push_back(entries[i]);
    }
  }
  return mapped;
}

}  // namespace shardpipe::kinesis_target
