// What the http target sends for a batch (CONTRACT section 3): the records' envelopes as one JSON
// array, and an idempotency key that a retry of the same batch repeats.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "core/record.hpp"
#include "net/http_client.hpp"

namespace shardpipe {

// `[envelope,envelope,...]`: each envelope is already a JSON object.
std::string batch_body(std::span<const Record> batch);

// Lowercase hex SHA-256 of the batch's eventIDs joined by "\n": the same records give the same
// key, so a receiver can recognise a retried batch; any other set of records gives another key.
std::string idempotency_key(std::span<const Record> batch);

// The POST of `batch` to `url` with `headers`, its body and its idempotency key: what the http
// target and the http enrichment send.
net::Request batch_post(const std::string& url, std::vector<net::Header> headers,
                        std::chrono::milliseconds timeout, std::span<const Record> batch);

}  // namespace shardpipe
