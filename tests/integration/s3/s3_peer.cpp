#include "s3_peer.hpp"

#include <fmt/format.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/json_text.hpp"

namespace shardpipe::testing {
namespace {

namespace fs = std::filesystem;

fs::path peers_dir() {
  return fs::path(SHARDPIPE_SOURCE_DIR) / "tests" / "peers" / "s3";
}

std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2 failed");
  std::string out;
  char buffer[1 << 16];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  const bool whole = status == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!whole) throw std::runtime_error(fmt::format("not one whole gzip member (zlib {})", status));
  return out;
}

std::string unzstd(const std::string& compressed) {
  const auto size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
    throw std::runtime_error("not a zstd frame with its size");
  }
  std::string out(size, '\0');
  const size_t written =
      ZSTD_decompress(out.data(), out.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(written)) throw std::runtime_error(ZSTD_getErrorName(written));
  out.resize(written);
  return out;
}

}  // namespace

ListeningPeer start_s3rver(const fs::path& data_dir, const std::vector<std::string>& buckets,
                           const fs::path& log_file, int port) {
  std::vector<std::string> argv = {"/usr/bin/env", "node",
                                   (peers_dir() / "s3rver_server.js").string(),
                                   std::to_string(port), data_dir.string()};
  argv.insert(argv.end(), buckets.begin(), buckets.end());
  return ListeningPeer(argv, log_file);
}

std::string s3_tool(const std::string& endpoint, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/env", "node", (peers_dir() / "s3_tool.js").string(),
                                   endpoint};
  argv.insert(argv.end(), args.begin(), args.end());
  auto done = run_process_for(std::chrono::minutes(2), argv);
  if (done.exit_code != 0) {
    throw std::runtime_error(
        fmt::format("s3_tool {} failed ({}): {}", args.at(0), done.exit_code, done.err));
  }
  return done.out;
}

std::vector<StoredObject> read_bucket(const std::string& endpoint, const std::string& bucket,
                                      const std::string& prefix) {
  std::istringstream lines(s3_tool(endpoint, {"dump", bucket, prefix}));
  std::vector<StoredObject> objects;
  for (std::string line; std::getline(lines, line);) {
    auto object = nlohmann::json::parse(line);
    StoredObject stored{object.at("key"), object.value("contentType", ""), ""};
    if (!base64_decode(object.at("body").get<std::string>(), stored.body)) {
      throw std::runtime_error("the tool's body is not base64: " + stored.key);
    }
    objects.push_back(std::move(stored));
  }
  return objects;
}

std::string object_text(const StoredObject& object) {
  if (object.key.ends_with(".gz")) return gunzip(object.body);
  if (object.key.ends_with(".zst")) return unzstd(object.body);
  return object.body;
}

void use_s3rver_credentials() {
  ::setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  ::setenv("AWS_REGION", "us-east-1", 1);
}

}  // namespace shardpipe::testing
