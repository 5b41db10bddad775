// The record processor protocol (docs/command-target.md): one line of JSON per message on the
// processor's stdin, one line of JSON per reply on its stdout. Building messages and checking
// replies only, without any I/O, so that every case can be tested on its own.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/record.hpp"
#include "core/result.hpp"
#include "targets/target.hpp"

namespace shardpipe::processor_protocol {

inline constexpr int version = 1;

// The actions shardpipe sends; a reply names the one it answers in "responseFor".
inline constexpr std::string_view initialize = "initialize";
inline constexpr std::string_view process_records = "processRecords";
inline constexpr std::string_view enrich_records = "enrichRecords";  // a command enrichment's
inline constexpr std::string_view shard_ended = "shardEnded";
inline constexpr std::string_view lease_lost = "leaseLost";
inline constexpr std::string_view shutdown_requested = "shutdownRequested";

// Every message is one complete line, its line end included.
std::string initialize_message(std::string_view shard_id);
// {"action":"processRecords","records":[<envelope>,...]}: the envelopes as they are, except that
// line ends between their tokens become spaces so that the message stays one line.
std::string process_records_message(std::span<const Record> batch);
// The same for a command enrichment: {"action":"enrichRecords","records":[<envelope>,...]}.
std::string enrich_records_message(std::span<const Record> batch);
// Either of them: {"action":<action>,"records":[<envelope>,...]}.
std::string records_message(std::string_view action, std::span<const Record> batch);
// A message that is only an action: shardEnded, leaseLost, shutdownRequested.
std::string action_message(std::string_view action);

// The start of what a processor wrote, quoted on one line, for messages.
std::string excerpt(std::string_view text);

// The action that tells a processor why its sink closes.
std::string_view close_action(CloseReason reason);

// Succeeds when `line` is a JSON object {"action":"status","responseFor":<action>} (other fields
// allowed). Otherwise a retriable error naming the problem: the processor and shardpipe are out
// of step, and the processor must be restarted.
Status check_status_reply(std::string_view line, std::string_view action);

// The records of `batch` that a processRecords reply names in "batchItemFailures" (CONTRACT
// section 3), each with a retriable error; empty when it names none. An unusable list (null,
// empty, non-string or unknown identifier) is a retriable error for the whole batch.
Result<std::vector<ItemFailure>> failed_records(std::string_view reply,
                                                std::span<const Record> batch);

}  // namespace shardpipe::processor_protocol
