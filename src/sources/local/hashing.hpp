// How the 128-bit hash-key space is divided among shards.
#pragma once

#include <optional>
#include <vector>

#include "sources/local/local_log.hpp"

namespace shardpipe::local::detail {

inline constexpr uint128 max_hash_key = ~uint128{0};

// `count` contiguous ranges covering [0, 2^128 - 1], sizes differing by at most one.
std::vector<HashKeyRange> even_hash_ranges(uint64_t count);

// The first hash key of the upper child when `range` splits in the middle; nullopt when the
// range holds a single key.
std::optional<uint128> middle_split_point(const HashKeyRange& range);

}  // namespace shardpipe::local::detail
