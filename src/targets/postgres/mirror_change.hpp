// What one record does to a mirror table: its key, the item it leaves there (or a delete), and its
// place in the key's history.
#pragma once

#include <optional>
#include <string>

#include "core/record.hpp"
#include "core/result.hpp"
#include "targets/postgres/sequence_position.hpp"

namespace shardpipe::postgres_target {

struct MirrorChange {
  std::string key;
  std::optional<std::string> item;  // JSON text; nullopt: the key is deleted (a tombstone)
  SequencePosition position;
};

// Reads the change a record stands for; a record that cannot be mirrored is a permanent error.
//
// A DynamoDB Streams record (its delivered JSON has "eventSource":"aws:dynamodb"): the key is the
// canonical JSON of `keys` (data_encoding json) or else of `dynamodb.Keys`; INSERT and MODIFY
// store `newImage` or else `dynamodb.NewImage`, REMOVE deletes; the position is
// `dynamodb.SequenceNumber`.
//
// Any other record: the key is the record's partition key, the item is the whole delivered JSON,
// and a delivered JSON whose "data" is null is a delete; the position is the record's sequence
// number ("SEQ" or "SEQ:N").
Result<MirrorChange> mirror_change(const Record& record);

}  // namespace shardpipe::postgres_target
