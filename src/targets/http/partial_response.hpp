// How the http target reads an answer (CONTRACT section 3), without any I/O so that every case
// can be checked on its own.
#pragma once

#include <span>
#include <string_view>

#include "core/record.hpp"
#include "targets/target.hpp"

namespace shardpipe {

// True for the statuses worth trying again: 408, 429 and 5xx. Any other non-2xx is permanent.
bool retriable_status(int status);

// The outcome of delivering `batch` when the target answered `status` with `body`:
// - 2xx naming no failures (no body, not JSON, no or an empty or null `batchItemFailures`):
//   every record delivered;
// - 2xx naming records by eventID or sequence number: those in `failed_items` (retriable), every
//   other record delivered;
// - 2xx with an unusable list (null, empty or unknown identifier): the whole batch failed,
//   retriable;
// - anything else: the whole batch failed, retriable or permanent by retriable_status, with the
//   status code and the start of the body in the error.
DeliveryOutcome interpret_answer(int status, std::string_view body, std::span<const Record> batch);

}  // namespace shardpipe
