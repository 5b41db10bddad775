#include "targets/command/processor_protocol.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/json_text.hpp"
#include "targets/batch_item_failures.hpp"

namespace shardpipe::processor_protocol {
namespace {

using Json = nlohmann::json;

Error out_of_step(std::string_view action, const std::string& why) {
  return Error::retriable(fmt::format("the reply to {} is not usable: {}", action, why));
}

}  // namespace

std::string excerpt(std::string_view text) {
  // Cut at a character boundary, and keep messages valid UTF-8 whatever the processor wrote.
  constexpr size_t limit = 120;
  size_t cut = std::min(limit, text.size());
  while (cut < text.size() && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  std::string shown(text.substr(0, cut));
  bool valid = is_valid_utf8(shown);
  std::ranges::replace_if(
      shown,
      [valid](char c) {
        auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || (!valid && byte >= 0x80);
      },
      '?');
  if (cut < text.size()) shown += "...";
  return "'" + shown + "'";
}

std::string initialize_message(std::string_view shard_id) {
  std::string line = R"({"action":"initialize","shardId":)";
  append_json_string(line, shard_id);
  line += fmt::format(R"(,"protocolVersion":{}}})", version);
  line += '\n';
  return line;
}

std::string process_records_message(std::span<const Record> batch) {
  return records_message(process_records, batch);
}

std::string enrich_records_message(std::span<const Record> batch) {
  return records_message(enrich_records, batch);
}

std::string records_message(std::string_view action, std::span<const Record> batch) {
  const std::string head = fmt::format(R"({{"action":"{}","records":[)", action);
  constexpr std::string_view tail = "]}\n";
  size_t size = head.size() + tail.size() + batch.size();
  for (const auto& record : batch) size += record.envelope.size();
  std::string line;
  line.reserve(size);
  line += head;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i > 0) line += ',';
    size_t start = line.size();
    line += batch[i].envelope;
    // Valid JSON holds raw line ends only as whitespace between tokens (inside strings they are
    // escaped), so turning them into spaces keeps the envelope's meaning and the message one line.
    if (batch[i].envelope.find_first_of("\r\n") != std::string::npos) {
      std::replace_if(
          line.begin() + static_cast<std::ptrdiff_t>(start), line.end(),
          [](char c) { return c == '\n' || c == '\r'; }, ' ');
    }
  }
  line += tail;
  return line;
}

std::string action_message(std::string_view action) {
  std::string line = R"({"action":)";
  append_json_string(line, action);
  line += "}\n";
  return line;
}

std::string_view close_action(CloseReason reason) {
  switch (reason) {
    case CloseReason::shard_end:
      return shard_ended;
    case CloseReason::lease_lost:
      return lease_lost;
    case CloseReason::shutdown:
      return shutdown_requested;
  }
  return shutdown_requested;
}

Status check_status_reply(std::string_view line, std::string_view action) {
  const Json reply = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded() || !reply.is_object()) {
    return fail(out_of_step(action, "a line that is not a JSON object: " + excerpt(line)));
  }
  const auto kind = reply.find("action");
  if (kind == reply.end() || !kind->is_string() || *kind != "status") {
    return fail(out_of_step(action, R"("action" must be "status" in )" + excerpt(line)));
  }
  const auto answered = reply.find("responseFor");
  if (answered == reply.end() || !answered->is_string()) {
    return fail(out_of_step(action, R"(no "responseFor" in )" + excerpt(line)));
  }
  if (*answered != action) {
    return fail(out_of_step(action, fmt::format(R"(it is the reply to "{}")",
                                                answered->get_ref<const std::string&>())));
  }
  return {};
}

Result<std::vector<ItemFailure>> failed_records(std::string_view reply,
                                                std::span<const Record> batch) {
  auto indices = parse_batch_item_failures(reply, batch);
  if (!indices) return fail(indices.error());
  std::vector<ItemFailure> failures;
  failures.reserve(indices->size());
  for (size_t index : *indices) {
    failures.push_back(
        {index, Error::retriable(fmt::format("the record processor reported record {} as failed",
                                             batch[index].event_id))});
  }
  return failures;
}

}  // namespace shardpipe::processor_protocol
