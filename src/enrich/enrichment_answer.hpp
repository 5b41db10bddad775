// How an enrichment's answer is read (an http answer, a command processor's reply), without any
// I/O so that every case can be checked on its own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace shardpipe {

// The new envelopes (each element re-serialized as compact JSON) when `status` is 2xx and `body`
// is a JSON array of exactly `batch_size` elements. Otherwise an error naming the enrichment at
// `url` (already stripped of secrets): for a non-2xx status, retriable or permanent as the http
// target classifies statuses (408, 429 and 5xx retriable), with the status code; for an unusable
// body, retriable.
Result<std::vector<std::string>> read_enrichment_answer(int status, std::string_view body,
                                                        size_t batch_size, std::string_view url);

// The same for a command enrichment's reply line, {"action":"status",...,"records":[...]}: its
// "records" must be an array of exactly `batch_size` elements. Otherwise a retriable error naming
// `who` (the processor).
Result<std::vector<std::string>> read_enrichment_reply(std::string_view reply, size_t batch_size,
                                                       std::string_view who);

}  // namespace shardpipe
