// How an object's JSON Lines are compressed: gzip (zlib) or zstd (libzstd), at fixed settings so
// that the same records give the same bytes again on a replay (with the same library versions).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::s3 {

enum class Compression { none, gzip, zstd };

// "none" | "gzip" | "zstd" (the values target.compression takes); nullopt for anything else.
std::optional<Compression> parse_compression(std::string_view name);

// The object key's ending: ".jsonl", ".jsonl.gz" or ".jsonl.zst".
std::string_view object_suffix(Compression compression);

// The Content-Type the object is stored with.
std::string_view content_type(Compression compression);

// `content` compressed as asked (a copy with none). A gzip member carries no name and no time, so
// its bytes depend on the content alone. A library failure is retriable (memory may come back).
Result<std::string> compress(std::string_view content, Compression compression);

}  // namespace shardpipe::s3
