// The partial batch response (CONTRACT section 3) that an http target's 2xx answer or a command
// target's reply may carry: {"batchItemFailures":[{"itemIdentifier":"<eventID or sequence
// number>"}]}. Shared by every target that speaks it, so they all read it the same way.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "core/record.hpp"
#include "core/result.hpp"

namespace shardpipe {

// The records of `batch` that `reply` names as failed, as indices into `batch` (ascending, each
// once). Empty when the reply names none: an empty or blank reply, a reply that is not JSON (a
// caller that requires JSON checks that first), JSON that is not an object or has no
// `batchItemFailures`, or a null or empty list.
//
// An identifier matches a record's eventID or the sequence number its envelope shows, which the
// user records of a KPL aggregate share: such a sequence number names them all. A retriable
// error, meaning
// that the whole batch failed, when the list is not a list, an entry is not an object, or an
// identifier is null, empty, not a string or matches no record of the batch: the reply cannot be
// trusted to say which records were taken.
Result<std::vector<size_t>> parse_batch_item_failures(std::string_view reply,
                                                      std::span<const Record> batch);

}  // namespace shardpipe
