#include "targets/dead_letter/stored_dead_letters.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
// Ordered, so a replayed envelope keeps its keys in the order the source wrote them.
using json = nlohmann::ordered_json;

std::string string_at(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::optional<StoredDeadLetter> parse_entry(const fs::path& file, const std::string& line) {
  json entry = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!entry.is_object() || !entry.contains("eventID") || !entry.contains("record")) {
    return std::nullopt;
  }
  StoredDeadLetter stored;
  stored.file = file;
  stored.line = line;
  stored.timestamp = string_at(entry, "timestamp");
  stored.condition = string_at(entry, "condition");
  stored.event_id = string_at(entry, "eventID");
  if (auto attempts = entry.find("attempts"); attempts != entry.end() && attempts->is_number()) {
    stored.attempts = attempts->get<int>();
  }
  if (auto error = entry.find("error"); error != entry.end() && error->is_object()) {
    stored.error_message = string_at(*error, "message");
    if (auto code = error->find("statusCode"); code != error->end() && code->is_number()) {
      stored.status_code = code->get<int>();
    }
  }
  if (auto source = entry.find("source"); source != entry.end() && source->is_object()) {
    stored.shard_id = string_at(*source, "shardId");
    stored.sequence_number = string_at(*source, "sequenceNumber");
    if (stored.shard_id.empty() && source->contains("topic")) {
      stored.shard_id = fmt::format("{}-{}", string_at(*source, "topic"),
                                    source->value("partition", json()).dump());
      stored.sequence_number = source->value("offset", json()).dump();
    }
  }
  const json& record = entry["record"];
  if (record.is_object()) {
    stored.partition_key = string_at(record, "partitionKey");
    if (!record.contains("rawData")) stored.envelope = record.dump();
  }
  return stored;
}

}  // namespace

Result<StoredDeadLetters> read_stored_dead_letters(const fs::path& folder) {
  StoredDeadLetters stored;
  std::error_code ec;
  if (!fs::exists(folder, ec)) return stored;
  std::vector<fs::path> files;
  for (const auto& item : fs::directory_iterator(folder, ec)) {
    if (item.is_regular_file() && item.path().extension() == ".jsonl") files.push_back(item.path());
  }
  if (ec) {
    return fail(Error::retriable(fmt::format("reading {}: {}", folder.string(), ec.message())));
  }
  std::ranges::sort(files);
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(Error::retriable(fmt::format("cannot read {}", file.string())));
    std::string line;
    size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      // A line without its newline is a write that a crash interrupted; the next writer cuts it.
      if (in.eof()) break;
      if (auto entry = parse_entry(file, line)) {
        stored.entries.push_back(std::move(*entry));
      } else {
        stored.problems.push_back(
            fmt::format("{}:{}: not a dead-letter entry", file.string(), number));
      }
    }
  }
  return stored;
}

}  // namespace shardpipe
