#include "sources/local_source.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "coordination/checkpoint_store.hpp"
#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "core/sequence_number.hpp"
#include "sources/local/local_log.hpp"
#include "sources/stream_envelope.hpp"

namespace shardpipe {
namespace {

Error log_error(const local::LogError& e) {
  // A missing or corrupt log will not heal by itself; I/O errors may.
  if (e.code() == local::LogErrorCode::io || e.code() == local::LogErrorCode::busy) {
    return Error::retriable(e.what());
  }
  return Error::fatal(e.what());
}

// Renders a log record as the envelope of CONTRACT section 3.
Record render(const StreamEnvelopeWriter& writer, const local::LogRecord& in) {
  return writer.render({.partition_key = in.partition_key,
                        .sequence_number = std::to_string(in.sequence),
                        .arrival_us = static_cast<int64_t>(in.arrival_time_us),
                        .data = in.data});
}

class LocalShardReader final : public ShardReader {
 public:
  LocalShardReader(local::ShardReader reader, StreamEnvelopeWriter writer)
      : reader_(std::move(reader)), writer_(std::move(writer)) {}

  Result<ReadBatch> read(size_t max_records, size_t max_bytes) override {
    try {
      local::ReadResult result = reader_.read(max_records, max_bytes);
      ReadBatch batch;
      batch.shard_end = result.shard_end;
      batch.records.reserve(result.records.size());
      for (const auto& record : result.records) batch.records.push_back(render(writer_, record));
      return batch;
    } catch (const local::LogError& e) {
      return fail(log_error(e));
    }
  }

 private:
  local::ShardReader reader_;
  StreamEnvelopeWriter writer_;
};

class LocalSource final : public Source {
 public:
  LocalSource(std::filesystem::path dir, config::DataEncoding encoding)
      : dir_(std::move(dir)), encoding_(encoding) {}

  std::string type() const override { return "local"; }

  Result<std::vector<ShardDescription>> list_shards() override {
    try {
      auto layout = local::LogLayout::load(dir_);
      std::vector<ShardDescription> shards;
      for (const auto& meta : layout.shards()) {
        ShardDescription shard{meta.shard_id, {}, meta.open()};
        if (meta.parent_shard_id) shard.parent_shard_ids.push_back(*meta.parent_shard_id);
        if (meta.adjacent_parent_shard_id) {
          shard.parent_shard_ids.push_back(*meta.adjacent_parent_shard_id);
        }
        shards.push_back(std::move(shard));
      }
      return shards;
    } catch (const local::LogError& e) {
      return fail(log_error(e));
    }
  }

  Result<std::unique_ptr<ShardReader>> open_shard(const std::string& shard_id,
                                                  const StartPosition& start) override {
    try {
      local::ShardReader reader(dir_, shard_id);
      switch (start.kind) {
        case StartKind::trim_horizon:
          reader.seek_trim_horizon();
          break;
        case StartKind::latest:
          reader.seek_latest();
          break;
        case StartKind::at_timestamp:
          reader.seek_at_timestamp(start.timestamp_ms);
          break;
        case StartKind::at_sequence_number:
        case StartKind::after_sequence_number: {
          auto sequence = parse_sequence_u64(start.sequence_number);
          if (!sequence) {
            return fail(Error::fatal(fmt::format("checkpoint '{}' of {} is not a sequence number",
                                                 start.sequence_number, shard_id)));
          }
          if (start.kind == StartKind::at_sequence_number) {
            reader.seek_at_sequence(*sequence);
          } else {
            reader.seek_after_sequence(*sequence);
          }
          break;
        }
      }
      StreamEnvelopeWriter writer("shardpipe:local", shard_id, "local:" + dir_.string(), "local",
                                  encoding_);
      return std::make_unique<LocalShardReader>(std::move(reader), std::move(writer));
    } catch (const local::LogError& e) {
      return fail(log_error(e));
    }
  }

  Result<std::string> resolve_latest(const std::string& shard_id) override {
    try {
      local::ShardReader reader(dir_, shard_id);
      auto last = reader.last_sequence();
      if (!last) return std::string(coordination::checkpoint_trim_horizon);
      return std::to_string(*last);
    } catch (const local::LogError& e) {
      return fail(log_error(e));
    }
  }

  Result<ShardLag> lag(const std::string& shard_id, const std::string& checkpoint) override {
    try {
      local::ShardReader reader(dir_, shard_id);
      auto sequence = parse_sequence_u64(checkpoint);
      ShardLag lag;
      lag.records_behind = reader.count_after(sequence);
      lag.millis_behind = 0;
      if (*lag.records_behind > 0) {
        // As Kinesis's MillisBehindLatest: how long the oldest unhandled record has waited.
        if (sequence) {
          reader.seek_after_sequence(*sequence);
        } else {
          reader.seek_trim_horizon();
        }
        auto oldest = reader.read(1, 1);
        if (!oldest.records.empty()) {
          lag.millis_behind =
              std::max<int64_t>(0, unix_now_ms() - oldest.records.front().arrival_time_us / 1000);
        }
      }
      return lag;
    } catch (const local::LogError& e) {
      return fail(log_error(e));
    }
  }

 private:
  std::filesystem::path dir_;
  config::DataEncoding encoding_;
};

}  // namespace

std::unique_ptr<Source> make_local_source(const std::filesystem::path& log_dir,
                                          config::DataEncoding encoding) {
  return std::make_unique<LocalSource>(log_dir, encoding);
}

}  // namespace shardpipe
