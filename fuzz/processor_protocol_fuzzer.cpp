// The command target's protocol reader (src/targets/command/processor_protocol.*): the input is a
// line a record processor wrote, checked as the status reply to every action and read as the
// reply to a processRecords message for a fixed batch.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_text.hpp"
#include "core/record.hpp"
#include "targets/command/processor_protocol.hpp"

namespace {

namespace protocol = shardpipe::processor_protocol;

std::vector<shardpipe::Record> make_batch() {
  std::vector<shardpipe::Record> batch;
  for (int i = 0; i < 4; ++i) {
    shardpipe::Record record;
    record.sequence_number = std::to_string(40 + i);
    record.event_id = "shardId-000000000000:" + std::to_string(40 + i);
    record.partition_key = "k";
    record.envelope = R"({"data":{"i":)" + std::to_string(i) + "}}";
    batch.push_back(std::move(record));
  }
  batch[3].event_id = "41";  // an eventID that is another record's sequence number
  return batch;
}

// Messages quote what the processor wrote: on one line, valid UTF-8, and short.
void check_excerpt(std::string_view line) {
  std::string shown = protocol::excerpt(line);
  if (!shardpipe::is_valid_utf8(shown)) std::abort();
  for (char c : shown) {
    if (static_cast<unsigned char>(c) < 0x20) std::abort();
  }
  if (shown.size() > 120 + 2 + 3) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<shardpipe::Record> batch = make_batch();
  std::string_view line(reinterpret_cast<const char*>(data), size);

  check_excerpt(line);
  for (std::string_view action :
       {protocol::initialize, protocol::process_records, protocol::shard_ended,
        protocol::lease_lost, protocol::shutdown_requested}) {
    shardpipe::Status status = protocol::check_status_reply(line, action);
    if (!status && (!status.error().is_retriable() || status.error().message.empty())) {
      std::abort();
    }
  }

  auto failures = protocol::failed_records(line, batch);
  if (!failures) {
    if (!failures.error().is_retriable() || failures.error().message.empty()) std::abort();
    return 0;
  }
  size_t previous = 0;
  for (size_t i = 0; i < failures->size(); ++i) {
    const auto& failure = (*failures)[i];
    // Ascending indices into the batch, each once, each with a retriable error.
    if (failure.index >= batch.size() || (i > 0 && failure.index <= previous)) std::abort();
    if (!failure.error.is_retriable()) std::abort();
    previous = failure.index;
  }
  return 0;
}
