// The local log's segment reader (src/sources/local): the input is written as the only segment of
// a shard of a real log folder, then scanned (scan_segment), read (ShardReader) and inspected
// (last_sequence, count_after); it is also written as a first segment followed by a valid one.
//
// Whatever the bytes, every good frame before the first bad one must come out exactly, and what
// follows must be either a torn tail (only in the shard's last segment: an incomplete frame, or a
// bad one followed by nothing but zero bytes, with no valid frame starting anywhere after it) or a
// LogError(corrupt): never a crash, another exception, or records silently skipped. The
// expectations come from a small decoder written here from the frame format (frame.hpp),
// independent of the code under test.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crc32c.hpp"
#include "sources/local/local_log.hpp"
#include "sources/local/segment_scan.hpp"

namespace {

namespace fs = std::filesystem;
using namespace shardpipe::local;

const std::string kShard = "shardId-000000000000";

struct Frame {
  uint64_t sequence = 0;
  int64_t arrival_us = 0;
  std::string key;
  std::string data;
  bool operator==(const Frame&) const = default;
};

template <typename T>
T load(std::string_view bytes, size_t at) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    value |= static_cast<T>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  }
  return value;
}

bool all_zero(std::string_view bytes) {
  return bytes.find_first_not_of('\0') == std::string_view::npos;
}

// Whether a whole frame with a matching CRC and a key that fits starts at `at` of `bytes`.
bool valid_frame_at(std::string_view bytes, size_t at) {
  std::string_view rest = bytes.substr(at);
  if (rest.size() < 8) return false;
  uint32_t length = load<uint32_t>(rest, 0);
  if (length < 20 || length > (64u << 20) || rest.size() < 8 + size_t{length}) return false;
  std::string_view payload = rest.substr(8, length);
  return shardpipe::crc32c(payload) == load<uint32_t>(rest, 4) &&
         load<uint32_t>(payload, 16) <= length - 20;
}

// A valid frame after a bad one proves damage: a torn write is always the last thing written.
bool valid_frame_after(std::string_view bytes, size_t offset) {
  for (size_t at = offset + 1; at < bytes.size(); ++at) {
    if (valid_frame_at(bytes, at)) return true;
  }
  return false;
}

// The good frames at the start of `bytes`, and whether what follows them is a torn tail.
struct Expected {
  std::vector<Frame> frames;
  size_t valid_end = 0;
  bool torn_tail_allowed = true;  // in the last segment
};

Expected decode_all(std::string_view bytes) {
  Expected expected;
  while (true) {
    std::string_view rest = bytes.substr(expected.valid_end);
    auto torn_tail_if = [&](bool nothing_but_zeros_after) {
      expected.torn_tail_allowed =
          nothing_but_zeros_after && !valid_frame_after(bytes, expected.valid_end);
    };
    if (rest.size() < 8) {
      return expected;  // empty, or an incomplete header
    }
    uint32_t length = load<uint32_t>(rest, 0);
    if (length < 20 || length > (64u << 20)) {
      torn_tail_if(all_zero(rest.substr(8)));
      return expected;
    }
    if (rest.size() < 8 + size_t{length}) {
      torn_tail_if(true);  // incomplete
      return expected;
    }
    std::string_view payload = rest.substr(8, length);
    if (shardpipe::crc32c(payload) != load<uint32_t>(rest, 4)) {
      torn_tail_if(all_zero(rest.substr(8 + length)));
      return expected;
    }
    uint32_t key_bytes = load<uint32_t>(payload, 16);
    if (key_bytes > length - 20) {
      expected.torn_tail_allowed = false;
      return expected;
    }
    expected.frames.push_back(
        {load<uint64_t>(payload, 0), static_cast<int64_t>(load<uint64_t>(payload, 8)),
         std::string(payload.substr(20, key_bytes)), std::string(payload.substr(20 + key_bytes))});
    expected.valid_end += 8 + length;
  }
}

std::string encode(const Frame& frame) {
  std::string payload;
  auto put = [&payload](uint64_t value, size_t bytes) {
    for (size_t i = 0; i < bytes; ++i) payload += static_cast<char>((value >> (8 * i)) & 0xff);
  };
  put(frame.sequence, 8);
  put(static_cast<uint64_t>(frame.arrival_us), 8);
  put(frame.key.size(), 4);
  payload += frame.key;
  payload += frame.data;
  std::string out;
  auto put_out = [&out](uint32_t value) {
    for (size_t i = 0; i < 4; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
  };
  put_out(static_cast<uint32_t>(payload.size()));
  put_out(shardpipe::crc32c(payload));
  return out + payload;
}

struct Fixture {
  fs::path root;
  fs::path log;
  fs::path shard_dir;

  Fixture() {
    std::string pattern = (fs::temp_directory_path() / "shardpipe-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    root = pattern;
    log = root / "log";
    create_log(log, 1);
    shard_dir = log / "shards" / kShard;
  }
  ~Fixture() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }

  // The shard's segments become exactly `segments` (named 1, 1000000000, ...).
  void write_segments(const std::vector<std::string_view>& segments) const {
    for (const auto& entry : fs::directory_iterator(shard_dir)) fs::remove(entry.path());
    uint64_t first = 1;
    for (std::string_view bytes : segments) {
      std::ofstream out(shard_dir / (std::string(20 - std::to_string(first).size(), '0') +
                                     std::to_string(first) + ".seg"),
                        std::ios::binary);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out) std::abort();
      first *= 1000000000;
    }
  }
  fs::path first_segment() const { return shard_dir / "00000000000000000001.seg"; }
};

bool is_corrupt(const LogError& error) {
  if (error.code() != LogErrorCode::corrupt) std::abort();  // anything but corruption is a bug
  if (std::string_view(error.what()).find("offset") == std::string_view::npos) std::abort();
  return true;
}

void check_reader(const Fixture& fixture, size_t batch, size_t max_bytes,
                  const std::vector<Frame>& want, bool clean_end) {
  ShardReader reader(fixture.log, kShard);
  std::vector<Frame> got;
  bool threw = false;
  // Each read returns at least one record or stops: this bound is never reached by a working
  // reader.
  for (size_t round = 0; round < 2 * want.size() + 4; ++round) {
    try {
      ReadResult result = reader.read(batch, max_bytes);
      if (result.shard_end) std::abort();  // the shard is open
      if (result.records.empty()) break;
      for (const LogRecord& record : result.records) {
        got.push_back({record.sequence, record.arrival_time_us, std::string(record.partition_key),
                       std::string(record.data)});
      }
    } catch (const LogError& error) {
      threw = is_corrupt(error);
      break;
    }
  }
  if (got != want) std::abort();         // every good frame, in order, nothing skipped
  if (threw == clean_end) std::abort();  // a clean end or a torn tail, else corrupt
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture fixture;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Expected expected = decode_all(bytes);
  const bool rest_empty = expected.valid_end == bytes.size();

  // 1. The input as the shard's only (so last) segment.
  fixture.write_segments({bytes});
  for (bool last : {true, false}) {
    bool clean = last ? expected.torn_tail_allowed : rest_empty;
    try {
      detail::SegmentScan scan = detail::scan_segment(fixture.first_segment(), last);
      if (!clean) std::abort();
      if (scan.valid_end != expected.valid_end || scan.frames != expected.frames.size() ||
          scan.torn_tail == rest_empty) {
        std::abort();
      }
      if (!expected.frames.empty() && scan.last_sequence != expected.frames.back().sequence) {
        std::abort();
      }
    } catch (const LogError& error) {
      if (is_corrupt(error) && clean) std::abort();
    }
  }
  check_reader(fixture, 1000, 1 << 20, expected.frames, expected.torn_tail_allowed);
  check_reader(fixture, 2, 16, expected.frames, expected.torn_tail_allowed);
  try {
    ShardReader reader(fixture.log, kShard);
    std::optional<uint64_t> last = reader.last_sequence();
    uint64_t count = reader.count_after(std::nullopt);
    reader.seek_latest();
    if (!expected.torn_tail_allowed) std::abort();
    if (count != expected.frames.size()) std::abort();
    if (!expected.frames.empty() && last != expected.frames.back().sequence) std::abort();
    if (!reader.read(1000, 1 << 20).records.empty()) std::abort();  // nothing after the latest
  } catch (const LogError& error) {
    if (is_corrupt(error) && expected.torn_tail_allowed) std::abort();
  }

  // 2. The input followed by a later, valid segment: now it must end exactly after a good frame.
  static const std::string next = encode({4000000000, 1, "k", "{\"after\":true}"});
  fixture.write_segments({bytes, next});
  std::vector<Frame> want = expected.frames;
  if (rest_empty) want.push_back(decode_all(next).frames.front());
  check_reader(fixture, 1000, 1 << 20, want, rest_empty);
  return 0;
}
