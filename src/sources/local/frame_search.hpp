// Looking for a valid frame after one that does not decode: a writer appends frames in order, so
// a torn write is always the last thing in a segment, and a valid frame after a bad one proves
// that the bad one is damage rather than a torn tail.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace shardpipe::local::detail {

// The offset of the first frame that starts after `after`, ends by `end` and decodes with status
// ok (checksum included), if any. Tries every byte offset; memory stays bounded (about two read
// buffers) however long the range is.
std::optional<uint64_t> find_valid_frame(int fd, const std::filesystem::path& path, uint64_t after,
                                         uint64_t end);

}  // namespace shardpipe::local::detail
