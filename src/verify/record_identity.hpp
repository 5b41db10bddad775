// How verify names a record of a shard: its sequence number, or "SEQ:N" for user record N of the
// KPL aggregate SEQ, for every N (a checkpoint names an aggregate's last user record by the plain
// SEQ, which would not tell it from the others in the output). The eventID carries the name:
// "<shardId>:<SEQ>" or "<shardId>:<SEQ>:<N>".
#pragma once

#include <string_view>

#include "core/sequence_number.hpp"

namespace shardpipe::verify {

// A view into `event_id`, else `sequence_number` when the eventID has another form.
inline std::string_view record_identity(std::string_view shard_id, std::string_view event_id,
                                        std::string_view sequence_number) {
  if (event_id.size() > shard_id.size() && event_id.starts_with(shard_id) &&
      event_id[shard_id.size()] == ':') {
    auto name = event_id.substr(shard_id.size() + 1);
    if (is_sequence_checkpoint(name)) return name;
  }
  return sequence_number;
}

}  // namespace shardpipe::verify
