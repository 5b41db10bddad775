#include "sources/local_source.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "core/sequence_number.hpp"
#include "sources/local/local_log.hpp"

namespace shardpipe {
namespace {

Error log_error(const local::LogError& e) {
  // A missing or corrupt log will not heal by itself; I/O errors may.
  if (e.code() == local::LogErrorCode::io || e.code() == local::LogErrorCode::busy) {
    return Error::retriable(e.what());
  }
  return Error::fatal(e.what());
}

// Renders one log record as the envelope of CONTRACT section 3 (local and kinesis).
class EnvelopeWriter {
 public:
  EnvelopeWriter(std::string shard_id, std::string source_arn, config::DataEncoding encoding)
      : shard_id_(std::move(shard_id)), encoding_(encoding) {
    // The part of every envelope between the eventID and the partition key, rendered once.
    prefix_ = R"(","eventName":"aws:kinesis:record","eventVersion":"1.0","eventSourceARN":)";
    append_json_string(prefix_, source_arn);
    prefix_ += R"(,"awsRegion":"local","partitionKey":)";
  }

  Record render(const local::LogRecord& in) const {
    Record out;
    out.sequence_number = std::to_string(in.sequence);
    out.partition_key = std::string(in.partition_key);
    out.event_id.reserve(shard_id_.size() + 1 + out.sequence_number.size());
    out.event_id.append(shard_id_).append(1, ':').append(out.sequence_number);
    out.arrival_ms = in.arrival_time_us / 1000;
    std::string& json = out.envelope;
    json.reserve(prefix_.size() + 160 + in.data.size() * 4 / 3 + in.partition_key.size() +
                 out.event_id.size());
    json.append(R"({"eventSource":"shardpipe:local","eventID":")");
    json.append(out.event_id);  // shard ids and digits need no escaping
    json.append(prefix_);
    append_key(json, in.partition_key);
    json.append(R"(,"sequenceNumber":")");
    json.append(out.sequence_number);
    json.append(R"(","approximateArrivalTimestamp":)");
    append_timestamp(json, in.arrival_time_us);
    json.append(R"(,"data":)");
    if (!append_data(json, in.data, out.decode_error)) {
      out.decode_failed = true;
      out.raw_data = std::string(in.data);
      json.clear();
      return out;
    }
    json.push_back('}');
    return out;
  }

 private:
  static void append_key(std::string& json, std::string_view key) {
    if (is_valid_utf8(key)) {
      append_json_string(json, key);
    } else {
      append_json_string(json, base64_encode(key));
    }
  }

  bool append_data(std::string& json, std::string_view data, std::string& error) const {
    switch (encoding_) {
      case config::DataEncoding::base64:
        json.push_back('"');
        append_base64(json, data);
        json.push_back('"');
        return true;
      case config::DataEncoding::text:
        if (!is_valid_utf8(data)) {
          error = "data is not valid UTF-8 (data_encoding: text)";
          return false;
        }
        append_json_string(json, data);
        return true;
      case config::DataEncoding::json:
        if (!is_valid_json(data)) {
          error = is_valid_utf8(data) ? "data is not valid JSON (data_encoding: json)"
                                      : "data is not valid UTF-8 (data_encoding: json)";
          return false;
        }
        json.append(data);
        return true;
    }
    return false;
  }

  // Seconds with six decimals, as Kinesis writes approximateArrivalTimestamp.
  static void append_timestamp(std::string& json, int64_t unix_us) {
    char digits[32];
    auto end = std::to_chars(digits, digits + sizeof digits, unix_us / 1000000).ptr;
    *end++ = '.';
    auto micros = static_cast<int>(unix_us % 1000000);
    for (int divisor = 100000; divisor > 0; divisor /= 10)
      *end++ = static_cast<char>('0' + micros / divisor % 10);
    json.append(digits, end);
  }

  std::string shard_id_;
  std::string prefix_;
  config::DataEncoding encoding_;
};

class LocalShardReader final : public ShardReader {
 public:
  LocalShardReader(local::ShardReader reader, EnvelopeWriter writer)
      : reader_(std::move(reader)), writer_(std::move(writer)) {}

  Result<ReadBatch> read(size_t max_records, size_t max_bytes) override {
    try {
      local::ReadResult result = reader_.read(max_records, max_bytes);
      ReadBatch batch;
      batch.shard_end = result.shard_end;
      batch.records.reserve(result.records.size());
      for (const auto& record : result.records) batch.records.push_back(writer_.render(record));
      return batch;
    } catch (const local::LogError& e) {
      return fail(log_error(e));
    }
  }

 private:
  local::ShardReader reader_;
  EnvelopeWriter writer_;
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
      EnvelopeWriter writer(shard_id, "local:" + dir_.string(), encoding_);
      return std::make_unique<LocalShardReader>(std::move(reader), std::move(writer));
    } catch (const local::LogError& e) {
      return fail(log_error(e));
    }
  }

  Result<std::optional<std::string>> latest_sequence(const std::string& shard_id) override {
    try {
      local::ShardReader reader(dir_, shard_id);
      auto last = reader.last_sequence();
      if (!last) return std::optional<std::string>();
      return std::optional<std::string>(std::to_string(*last));
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
