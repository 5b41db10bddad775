#include "targets/dead_letter/stored_dead_letters.hpp"

#include <fmt/format.h>
#include <simdjson.h>

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

// The entry files under `folder` in name order; none when it does not exist.
Result<std::vector<fs::path>> entry_files(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::exists(folder, ec)) return files;
  for (const auto& item : fs::directory_iterator(folder, ec)) {
    if (item.is_regular_file() && item.path().extension() == ".jsonl") files.push_back(item.path());
  }
  if (ec) {
    return fail(Error::retriable(fmt::format("reading {}: {}", folder.string(), ec.message())));
  }
  std::ranges::sort(files);
  return files;
}

// The shard an entry came from (as parse_entry names it), or nullopt when `line` is not an
// entry. Reads only the top-level keys and `source`; `line` gets room for simdjson's padding.
std::optional<std::string> entry_shard(simdjson::ondemand::parser& parser, std::string& line) {
  namespace od = simdjson::ondemand;
  size_t size = line.size();
  line.reserve(size + simdjson::SIMDJSON_PADDING);
  od::document doc;
  od::object object;
  if (parser.iterate(line.data(), size, line.capacity()).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(object) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  bool has_event_id = false;
  bool has_record = false;
  std::string shard_id;
  std::string topic;
  std::optional<std::string> partition;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return std::nullopt;
    if (key == "eventID") has_event_id = true;
    if (key == "record") has_record = true;
    if (key != "source") continue;
    od::object source;
    if (field.value().get_object().get(source) != simdjson::SUCCESS) continue;
    for (auto part : source) {
      std::string_view name;
      if (part.unescaped_key().get(name) != simdjson::SUCCESS) return std::nullopt;
      std::string_view text;
      if (name == "shardId" && part.value().get_string().get(text) == simdjson::SUCCESS) {
        shard_id = text;
      } else if (name == "topic" && part.value().get_string().get(text) == simdjson::SUCCESS) {
        topic = text;
      } else if (name == "partition") {
        text = part.value().raw_json_token();
        while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
        partition = std::string(text);
      }
    }
  }
  if (!has_event_id || !has_record) return std::nullopt;
  if (shard_id.empty() && !topic.empty()) {
    shard_id = fmt::format("{}-{}", topic, partition.value_or("null"));
  }
  return shard_id;
}

}  // namespace

Result<DeadLetterCounts> count_stored_dead_letters(const fs::path& folder) {
  auto files = entry_files(folder);
  if (!files) return fail(files.error());
  DeadLetterCounts counts;
  simdjson::ondemand::parser parser;
  std::string line;
  for (const auto& file : *files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(Error::retriable(fmt::format("cannot read {}", file.string())));
    while (std::getline(in, line)) {
      if (in.eof()) break;  // no newline: a write that a crash interrupted, not an entry
      if (auto shard = entry_shard(parser, line)) {
        ++counts.by_shard[*shard];
        ++counts.total;
      }
    }
    if (in.bad()) return fail(Error::retriable(fmt::format("reading {}", file.string())));
  }
  return counts;
}

Result<StoredDeadLetters> read_stored_dead_letters(const fs::path& folder) {
  StoredDeadLetters stored;
  auto files = entry_files(folder);
  if (!files) return fail(files.error());
  for (const auto& file : *files) {
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
