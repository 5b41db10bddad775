// LogWriter: routes records to open shards and appends them with one group commit per call.
#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>

#include "sources/local/byte_buffer.hpp"
#include "sources/local/file_lock.hpp"
#include "sources/local/frame.hpp"
#include "sources/local/hashing.hpp"
#include "sources/local/io.hpp"
#include "sources/local/layout_store.hpp"
#include "sources/local/local_log.hpp"
#include "sources/local/paths.hpp"
#include "sources/local/recovery.hpp"
#include "sources/local/sequence_file.hpp"

namespace shardpipe::local {
namespace {

using detail::UniqueFd;

uint64_t segment_bytes_from(const LogWriterOptions& options) {
  if (options.segment_bytes) {
    return std::max<uint64_t>(*options.segment_bytes, 1);
  }
  if (const char* text = std::getenv(segment_bytes_environment_variable);
      text != nullptr && *text != '\0') {
    uint64_t value = 0;
    std::string_view digits(text);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size() || value == 0) {
      throw LogError(LogErrorCode::invalid_argument,
                     fmt::format("{}={} is not a positive number of bytes",
                                 segment_bytes_environment_variable, digits));
    }
    return value;
  }
  return default_segment_bytes;
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The segment an open shard appends to, as this writer knows it.
struct TailSegment {
  detail::SegmentFile file;
  UniqueFd fd;
  uint64_t bytes = 0;
};

// Where one append() starts a new segment inside a shard's encoded frames.
struct Roll {
  size_t offset = 0;
  uint64_t first_sequence = 0;
};

struct OpenShard {
  std::string shard_id;
  HashKeyRange range;
  std::filesystem::path dir;
  std::optional<TailSegment> tail;
  bool tail_known = false;  // `tail` is the shard's real last segment and its size is right

  // Scratch of the append in progress.
  size_t record_count = 0;
  size_t frame_bytes = 0;
  detail::ByteBuffer frames;
  std::vector<Roll> rolls;
};

UniqueFd open_for_append(const std::filesystem::path& path) {
  return detail::open_file(path, O_WRONLY | O_APPEND);
}

}  // namespace

struct LogWriter::State {
  std::filesystem::path dir;
  uint64_t segment_bytes;
  detail::LayoutWatcher layout;
  detail::DirectoryLock lock;
  detail::SequenceFile sequence_file;
  std::vector<OpenShard> shards;   // the open shards, by starting hash key
  bool recovered = false;          // this writer has repaired the log since its last failure
  uint64_t last_written_next = 0;  // the counter this writer left in SEQUENCE

  std::vector<uint128> hashes;
  std::vector<uint32_t> shard_of_record;

  State(const std::filesystem::path& log_dir, const LogWriterOptions& options)
      : dir(log_dir),
        segment_bytes(segment_bytes_from(options)),
        layout(log_dir),
        lock(log_dir),
        sequence_file(log_dir) {
    rebuild_shards();
  }

  // Mirrors the open shards of the layout, keeping what is known about shards still open.
  void rebuild_shards() {
    std::vector<OpenShard> rebuilt;
    for (const auto& meta : layout.layout().shards()) {
      if (!meta.open()) {
        continue;
      }
      OpenShard shard;
      auto previous = std::ranges::find(shards, meta.shard_id, &OpenShard::shard_id);
      if (previous != shards.end()) {
        shard = std::move(*previous);
      }
      shard.shard_id = meta.shard_id;
      shard.range = meta.hash_key_range;
      shard.dir = detail::shard_path(dir, meta.shard_id);
      rebuilt.push_back(std::move(shard));
    }
    std::ranges::sort(rebuilt, {},
                      [](const OpenShard& shard) { return shard.range.starting_hash_key; });
    uint128 expected_start = 0;
    bool covered = !rebuilt.empty();
    for (const auto& shard : rebuilt) {
      covered = covered && shard.range.starting_hash_key == expected_start;
      expected_start = shard.range.ending_hash_key + 1;
    }
    if (!covered || rebuilt.back().range.ending_hash_key != detail::max_hash_key) {
      throw LogError(LogErrorCode::corrupt, "the open shards in " +
                                                detail::layout_path(dir).string() +
                                                " do not cover the hash-key space exactly");
    }
    shards = std::move(rebuilt);
  }

  uint32_t route(uint128 hash) const {
    auto after = std::ranges::upper_bound(
        shards, hash, {}, [](const OpenShard& shard) { return shard.range.starting_hash_key; });
    return static_cast<uint32_t>(after - shards.begin() -
                                 1);  // coverage is checked in rebuild_shards
  }

  // Repairs torn tails of every open shard and adopts what the scan learned.
  detail::SequenceState recover() {
    detail::RecoveredLog recovered_log = detail::recover_log(dir, layout.layout(), sequence_file);
    for (auto& shard : shards) {
      const detail::ShardTail& found = recovered_log.open_tails.at(shard.shard_id);
      shard.tail.reset();
      if (!found.segments.empty()) {
        const auto& last = found.segments.back();
        shard.tail = TailSegment{last, open_for_append(last.path), found.last_segment_bytes};
      }
      shard.tail_known = true;
    }
    recovered = true;
    return recovered_log.sequence;
  }

  // Another writer appended since this one: find each touched shard's last segment again.
  void refresh_tail(OpenShard& shard) {
    auto segments = detail::list_segments(shard.dir);
    if (segments.empty()) {
      shard.tail.reset();
    } else if (!shard.tail || shard.tail->file.first_sequence != segments.back().first_sequence) {
      shard.tail = TailSegment{segments.back(), open_for_append(segments.back().path), 0};
    }
    if (shard.tail) {
      shard.tail->bytes = detail::file_size(shard.tail->fd.get(), shard.tail->file.path);
    }
    shard.tail_known = true;
  }

  void hash_records(std::span<const PutRecord> records) {
    hashes.resize(records.size());
    for (size_t index = 0; index < records.size(); ++index) {
      const PutRecord& record = records[index];
      if (detail::payload_fixed_bytes + record.partition_key.size() + record.data.size() >
          detail::max_payload_bytes) {
        throw LogError(
            LogErrorCode::invalid_argument,
            fmt::format("record {} is {} bytes with its key; the local log takes at most {}", index,
                        record.partition_key.size() + record.data.size(),
                        detail::max_payload_bytes - detail::payload_fixed_bytes));
      }
      hashes[index] = hash_key(record.partition_key.empty() ? record.data : record.partition_key);
    }
  }

  // The counter to continue from, repairing the log first when this writer has not yet, or when
  // SEQUENCE says another writer died mid-append.
  detail::SequenceState sequence_under_lock() {
    std::optional<detail::SequenceState> stored = sequence_file.read();
    if (!recovered || !stored || !stored->clean) {
      return recover();
    }
    if (stored->next_sequence != last_written_next) {
      for (auto& shard : shards) {
        shard.tail_known = false;  // someone else appended meanwhile
      }
    }
    return *stored;
  }

  // Picks each record's shard and sizes each shard's share of the append.
  void route_records(std::span<const PutRecord> records) {
    shard_of_record.resize(records.size());
    for (auto& shard : shards) {
      shard.record_count = shard.frame_bytes = 0;
    }
    for (size_t index = 0; index < records.size(); ++index) {
      uint32_t target = route(hashes[index]);
      shard_of_record[index] = target;
      OpenShard& shard = shards[target];
      ++shard.record_count;
      shard.frame_bytes +=
          detail::frame_size(records[index].partition_key.size(), records[index].data.size());
    }
    for (auto& shard : shards) {
      if (shard.record_count > 0 && !shard.tail_known) {
        refresh_tail(shard);
      }
    }
  }

  // Encodes every frame into its shard's buffer, planning a segment roll wherever the current
  // segment would grow past the segment size.
  void plan_frames(std::span<const PutRecord> records, uint64_t first_sequence, int64_t arrival_us,
                   std::vector<Appended>& appended) {
    for (auto& shard : shards) {
      if (shard.record_count == 0) {
        continue;
      }
      shard.frames.reserve_discarding(shard.frame_bytes);
      shard.rolls.clear();
      shard.frame_bytes = 0;  // reused as the write cursor
    }
    std::vector<uint64_t> segment_bytes_now(shards.size());
    for (size_t index = 0; index < shards.size(); ++index) {
      segment_bytes_now[index] = shards[index].tail ? shards[index].tail->bytes : 0;
    }
    for (size_t index = 0; index < records.size(); ++index) {
      uint32_t target = shard_of_record[index];
      OpenShard& shard = shards[target];
      const PutRecord& record = records[index];
      uint64_t sequence = first_sequence + index;
      size_t size = detail::frame_size(record.partition_key.size(), record.data.size());
      bool first_of_shard = shard.frame_bytes == 0;
      bool needs_segment = first_of_shard && !shard.tail;
      bool overflows =
          segment_bytes_now[target] > 0 && segment_bytes_now[target] + size > segment_bytes;
      if (needs_segment || overflows) {
        shard.rolls.push_back({shard.frame_bytes, sequence});
        segment_bytes_now[target] = 0;
      }
      detail::encode_frame(shard.frames.data() + shard.frame_bytes,
                           {sequence, arrival_us, record.partition_key, record.data});
      shard.frame_bytes += size;
      segment_bytes_now[target] += size;
      appended.push_back({shard.shard_id, sequence});
    }
  }

  void start_segment(OpenShard& shard, uint64_t first_sequence) {
    if (shard.tail) {
      detail::sync_data(shard.tail->fd.get(), shard.tail->file.path);  // complete before the next
    }
    detail::SegmentFile file{first_sequence, shard.dir / detail::segment_file_name(first_sequence)};
    UniqueFd fd = detail::open_file(file.path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL);
    detail::sync_directory(shard.dir);
    shard.tail = TailSegment{std::move(file), std::move(fd), 0};
  }

  void write_piece(OpenShard& shard, size_t begin, size_t end) {
    if (begin == end) {
      return;
    }
    detail::write_all(shard.tail->fd.get(), shard.frames.data() + begin, end - begin,
                      shard.tail->file.path);
    shard.tail->bytes += end - begin;
  }

  void write_frames(OpenShard& shard) {
    size_t begin = 0;
    for (const Roll& roll : shard.rolls) {
      write_piece(shard, begin, roll.offset);
      start_segment(shard, roll.first_sequence);
      begin = roll.offset;
    }
    write_piece(shard, begin, shard.frame_bytes);
  }
};

LogWriter::LogWriter(const std::filesystem::path& dir) : LogWriter(dir, LogWriterOptions{}) {}

LogWriter::LogWriter(const std::filesystem::path& dir, LogWriterOptions options)
    : state_(std::make_unique<State>(dir, options)) {}

LogWriter::~LogWriter() = default;

std::vector<Appended> LogWriter::append(std::span<const PutRecord> records) {
  if (records.empty()) {
    return {};
  }
  State& s = *state_;
  s.hash_records(records);  // needs no lock: done before taking it

  auto held = s.lock.hold();
  if (s.layout.refresh()) {
    s.rebuild_shards();
  }
  detail::SequenceState sequence = s.sequence_under_lock();
  s.route_records(records);

  // Reserve the sequences first: if this process dies mid-write, SEQUENCE says dirty and the next
  // lock holder repairs the tails; the numbers reserved here are never reused.
  uint64_t first_sequence = sequence.next_sequence;
  int64_t arrival_us = std::max(now_us(), sequence.last_arrival_us);
  detail::SequenceState committed{first_sequence + records.size(), arrival_us, true};
  s.recovered = false;  // until this append completes
  s.sequence_file.write({committed.next_sequence, arrival_us, false});

  std::vector<Appended> appended;
  appended.reserve(records.size());
  s.plan_frames(records, first_sequence, arrival_us, appended);
  for (auto& shard : s.shards) {
    if (shard.record_count > 0) {
      s.write_frames(shard);
    }
  }
  for (auto& shard : s.shards) {
    if (shard.record_count > 0) {
      detail::sync_data(shard.tail->fd.get(), shard.tail->file.path);
    }
  }

  s.sequence_file.write(committed);
  s.last_written_next = committed.next_sequence;
  s.recovered = true;
  return appended;
}

}  // namespace shardpipe::local
