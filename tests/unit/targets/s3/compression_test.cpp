// gzip and zstd objects decode, with the libraries' own decoders, to exactly what was compressed;
// the same content gives the same bytes (replays overwrite objects with identical ones).
#include "targets/s3/compression.hpp"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <string>

namespace shardpipe::s3 {
namespace {

std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);  // gzip wrapper only
  std::string out;
  char buffer[65536];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  EXPECT_EQ(status, Z_STREAM_END);
  EXPECT_EQ(stream.avail_in, 0u) << "bytes after the gzip member";
  inflateEnd(&stream);
  return out;
}

std::string unzstd(const std::string& compressed) {
  const auto size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  EXPECT_NE(size, ZSTD_CONTENTSIZE_UNKNOWN);
  EXPECT_NE(size, ZSTD_CONTENTSIZE_ERROR);
  std::string out(size, '\0');
  const size_t written =
      ZSTD_decompress(out.data(), out.size(), compressed.data(), compressed.size());
  EXPECT_FALSE(ZSTD_isError(written)) << ZSTD_getErrorName(written);
  out.resize(written);
  return out;
}

std::string sample_lines(int count) {
  std::string lines;
  for (int i = 0; i < count; ++i) {
    lines += R"({"eventID":"shardId-000000000000:)" + std::to_string(i) + R"(","data":{"n":)" +
             std::to_string(i * 7919 % 1000) + "}}\n";
  }
  return lines;
}

TEST(Compression, GzipRoundTrip) {
  for (const auto& content : {std::string(), std::string("x\n"), sample_lines(20000)}) {
    auto compressed = compress(content, Compression::gzip);
    ASSERT_TRUE(compressed) << compressed.error().message;
    EXPECT_EQ(gunzip(*compressed), content);
  }
  EXPECT_LT(compress(sample_lines(20000), Compression::gzip)->size(),
            sample_lines(20000).size() / 4);
}

TEST(Compression, ZstdRoundTrip) {
  for (const auto& content : {std::string(), std::string("x\n"), sample_lines(20000)}) {
    auto compressed = compress(content, Compression::zstd);
    ASSERT_TRUE(compressed) << compressed.error().message;
    EXPECT_EQ(unzstd(*compressed), content);
  }
  EXPECT_LT(compress(sample_lines(20000), Compression::zstd)->size(),
            sample_lines(20000).size() / 4);
}

TEST(Compression, SameContentSameBytes) {
  const auto content = sample_lines(5000);
  for (auto compression : {Compression::none, Compression::gzip, Compression::zstd}) {
    EXPECT_EQ(*compress(content, compression), *compress(content, compression));
  }
  // A gzip member without a modification time (bytes 4-7) and without a file name (flag 0x08).
  auto gz = *compress(content, Compression::gzip);
  ASSERT_GE(gz.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_EQ(gz[3] & 0x08, 0);
  EXPECT_EQ(gz.substr(4, 4), std::string(4, '\0'));
}

TEST(Compression, NoneIsTheContent) {
  EXPECT_EQ(*compress("a\nb\n", Compression::none), "a\nb\n");
}

TEST(Compression, NamesSuffixesAndTypes) {
  EXPECT_EQ(parse_compression("none"), Compression::none);
  EXPECT_EQ(parse_compression("gzip"), Compression::gzip);
  EXPECT_EQ(parse_compression("zstd"), Compression::zstd);
  EXPECT_EQ(parse_compression("lz4"), std::nullopt);
  EXPECT_EQ(object_suffix(Compression::none), ".jsonl");
  EXPECT_EQ(object_suffix(Compression::gzip), ".jsonl.gz");
  EXPECT_EQ(object_suffix(Compression::zstd), ".jsonl.zst");
  EXPECT_EQ(content_type(Compression::none), "application/x-ndjson");
  EXPECT_EQ(content_type(Compression::gzip), "application/gzip");
  EXPECT_EQ(content_type(Compression::zstd), "application/zstd");
}

}  // namespace
}  // namespace shardpipe::s3
