// What the http target sends for a batch (CONTRACT section 3): the records' envelopes as one JSON
// array, and an idempotency key that a retry of the same batch repeats.
#pragma once

#include <span>
#include <string>

#include "core/record.hpp"

namespace shardpipe {

// `[envelope,envelope,...]`: each envelope is already a JSON object.
std::string batch_body(std::span<const Record> batch);

// Lowercase hex SHA-256 of the batch's eventIDs joined by "\n": the same records give the same
// key, so a receiver can recognise a retried batch; any other set of records gives another key.
std::string idempotency_key(std::span<const Record> batch);

}  // namespace shardpipe
