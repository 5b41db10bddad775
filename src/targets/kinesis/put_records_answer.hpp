// What a PutRecords answer means for the batch, without any I/O so that each case is tested on
// its own. Kinesis answers every entry: written (SequenceNumber, ShardId) or refused (ErrorCode,
// ErrorMessage); a refused record was not written.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "targets/target.hpp"

namespace shardpipe::kinesis_target {

struct EntryResult {
  std::string error_code;  // empty: written
  std::string error_message;
};

// The results of the `sent` entries of a request, in order. A retriable error when the answer is
// not JSON or does not answer each entry: which records were written is then unknown, and
// sending them again is the only safe way on (it may duplicate some).
Result<std::vector<EntryResult>> parse_put_records_answer(std::string_view body, size_t sent);

// ProvisionedThroughputExceededException, InternalFailure and KMSThrottlingException are worth
// another try; any other code (KMS access and key errors) is permanent.
ErrorClass entry_error_class(std::string_view code);

struct RequestResults {
  std::vector<size_t> delivered;    // batch indices written
  std::vector<ItemFailure> failed;  // batch indices to offer again, with why
};

// `entries[i]` is the batch index of the i-th entry sent, `keys[i]` its partition key and
// `results[i]` Kinesis's answer for it. A refused record fails with its own error. A record
// written after a refused record of the same partition key is in the stream ahead of it: it fails
// too (retriable), so it is written again after the refused one and the key's last copies are in
// order.
RequestResults map_results(std::span<const size_t> entries, std::span<const std::string_view> keys,
                           std::span<const EntryResult> results);

}  // namespace shardpipe::kinesis_target
