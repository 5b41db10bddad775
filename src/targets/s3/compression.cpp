#include "targets/s3/compression.hpp"

#include <fmt/format.h>
#include <zlib.h>
#include <zstd.h>

#include <climits>

namespace shardpipe::s3 {
namespace {

// zlib's default level and zstd's: a fair balance for logs; fixed, since replays must produce the
// same bytes.
constexpr int gzip_level = Z_DEFAULT_COMPRESSION;
constexpr int zstd_level = 3;
// windowBits 15 plus 16: a gzip wrapper (RFC 1952) rather than a zlib one.
constexpr int gzip_window_bits = 15 + 16;

Result<std::string> gzip(std::string_view content) {
  z_stream stream{};
  if (deflateInit2(&stream, gzip_level, Z_DEFLATED, gzip_window_bits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return fail(Error::retriable("gzip: deflateInit2 failed (out of memory?)"));
  }
  std::string out;
  out.resize(deflateBound(&stream, static_cast<uLong>(content.size())) + 32);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
  stream.avail_in = static_cast<uInt>(content.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  const size_t written = stream.total_out;
  deflateEnd(&stream);
  if (status != Z_STREAM_END) {
    return fail(Error::retriable(fmt::format("gzip: deflate failed ({})", status)));
  }
  out.resize(written);
  return out;
}

Result<std::string> zstd(std::string_view content) {
  std::string out;
  out.resize(ZSTD_compressBound(content.size()));
  const size_t written =
      ZSTD_compress(out.data(), out.size(), content.data(), content.size(), zstd_level);
  if (ZSTD_isError(written)) {
    return fail(Error::retriable(fmt::format("zstd: {}", ZSTD_getErrorName(written))));
  }
  out.resize(written);
  return out;
}

}  // namespace

std::optional<Compression> parse_compression(std::string_view name) {
  if (name == "none") return Compression::none;
  if (name == "gzip") return Compression::gzip;
  if (name == "zstd") return Compression::zstd;
  return std::nullopt;
}

std::string_view object_suffix(Compression compression) {
  switch (compression) {
    case Compression::gzip:
      return ".jsonl.gz";
    case Compression::zstd:
      return ".jsonl.zst";
    case Compression::none:
      break;
  }
  return ".jsonl";
}

std::string_view content_type(Compression compression) {
  switch (compression) {
    case Compression::gzip:
      return "application/gzip";
    case Compression::zstd:
      return "application/zstd";
    case Compression::none:
      break;
  }
  return "application/x-ndjson";
}

Result<std::string> compress(std::string_view content, Compression compression) {
  // One deflate call takes at most 4 GiB; such an object would never be written, so the pipe
  // stops and says so rather than retry forever.
  if (compression == Compression::gzip && content.size() > UINT_MAX) {
    return fail(
        Error::fatal("gzip: an object above 4 GiB cannot be compressed; lower records_per_object"));
  }
  switch (compression) {
    case Compression::gzip:
      return gzip(content);
    case Compression::zstd:
      return zstd(content);
    case Compression::none:
      break;
  }
  return std::string(content);
}

}  // namespace shardpipe::s3
