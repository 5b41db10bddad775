// Object keys of the s3 target: prefix + "<shard id>/" + the first record's sequence number,
// padded as the file target pads it (targets/unit_name.hpp), + ".jsonl" (".gz", ".zst").
#pragma once

#include <string>

#include "targets/s3/compression.hpp"

namespace shardpipe::s3 {

std::string object_key(const std::string& prefix, const std::string& shard_id,
                       const std::string& first_sequence, Compression compression);

}  // namespace shardpipe::s3
