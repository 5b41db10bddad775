// The http dead-letter destination: each write POSTs its entries as one JSON array. They count as
// durably dead-lettered only on a 2xx answer; any other answer, or none, is a retriable error, so
// the engine tries again and never checkpoints past the records.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "targets/dead_letter/dead_letters.hpp"

namespace shardpipe {

std::unique_ptr<DeadLetterDestination> make_http_dead_letters(
    std::string url, std::string pipe,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace shardpipe
