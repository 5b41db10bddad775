#include "verify/output_scan.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <fstream>

#include "core/sequence_number.hpp"
#include "targets/dead_letter/stored_dead_letters.hpp"
#include "verify/record_identity.hpp"

namespace shardpipe::verify {
namespace {

namespace fs = std::filesystem;

// The record's position in its shard, wherever the source's envelope keeps it: local and
// Kinesis `sequenceNumber` (with `subSequenceNumber` N, "SEQ:N", for a user record of a KPL
// aggregate), DynamoDB Streams `dynamodb.SequenceNumber`, Kafka `offset`.
std::optional<std::string> envelope_sequence(simdjson::dom::parser& parser,
                                             const std::string& line) {
  simdjson::dom::element envelope;
  if (parser.parse(line).get(envelope) != simdjson::SUCCESS) return std::nullopt;
  std::string_view text;
  if (envelope["sequenceNumber"].get(text) == simdjson::SUCCESS ||
      envelope.at_pointer("/dynamodb/SequenceNumber").get(text) == simdjson::SUCCESS) {
    if (!is_sequence_number(text)) return std::nullopt;
    std::string sequence(text);
    uint64_t sub = 0;
    if (envelope["subSequenceNumber"].get(sub) == simdjson::SUCCESS) {
      sequence.append(1, ':').append(std::to_string(sub));
    }
    return sequence;
  }
  uint64_t offset = 0;
  if (envelope["offset"].get(offset) == simdjson::SUCCESS) return std::to_string(offset);
  return std::nullopt;
}

}  // namespace

void ScanProblems::add(std::string problem) {
  ++count;
  if (first.size() < max_listed) first.push_back(std::move(problem));
}

Result<std::vector<std::string>> target_shards(const fs::path& target_dir) {
  std::vector<std::string> shards;
  std::error_code ec;
  if (!fs::exists(target_dir, ec)) return shards;
  for (const auto& entry : fs::directory_iterator(target_dir, ec)) {
    if (entry.is_directory()) shards.push_back(entry.path().filename().string());
  }
  if (ec) {
    return fail(Error::retriable(fmt::format("reading {}: {}", target_dir.string(), ec.message())));
  }
  std::ranges::sort(shards);
  return shards;
}

Status scan_target_shard(const fs::path& shard_dir, std::vector<Occurrence>& out,
                         ScanProblems& problems) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(shard_dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".jsonl") {
      files.push_back(entry.path());
    }
  }
  if (ec) {
    return fail(Error::retriable(fmt::format("reading {}: {}", shard_dir.string(), ec.message())));
  }
  std::ranges::sort(files);
  simdjson::dom::parser parser;  // reused: one allocation for every line of the shard
  std::string line;
  for (const auto& file : files) {
    // Line by line, so memory does not grow with the size of a file.
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(Error::retriable(fmt::format("cannot read {}", file.string())));
    size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (auto sequence = envelope_sequence(parser, line)) {
        out.push_back({std::move(*sequence), FoundIn::target});
      } else {
        problems.add(
            fmt::format("{}:{}: not an envelope with a sequence number", file.string(), number));
      }
    }
    if (in.bad()) return fail(Error::retriable(fmt::format("reading {} failed", file.string())));
  }
  return {};
}

Result<std::map<std::string, std::vector<Occurrence>>> scan_dead_letters(const fs::path& folder,
                                                                         ScanProblems& problems) {
  auto stored = read_stored_dead_letters(folder);
  if (!stored) return fail(stored.error());
  for (auto& problem : stored->problems) problems.add(std::move(problem));
  std::map<std::string, std::vector<Occurrence>> by_shard;
  for (auto& entry : stored->entries) {
    std::string_view identity =
        record_identity(entry.shard_id, entry.event_id, entry.sequence_number);
    if (entry.shard_id.empty() || !is_sequence_checkpoint(identity)) {
      problems.add(fmt::format("{}: dead letter {} names no shard and sequence number",
                               entry.file.string(), entry.event_id));
      continue;
    }
    by_shard[entry.shard_id].push_back({std::string(identity), FoundIn::dead_letter});
  }
  return by_shard;
}

}  // namespace shardpipe::verify
