#include "sources/dynamodb/dynamodb_streams_source.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>

#include "aws/arn.hpp"
#include "aws/credentials.hpp"
#include "aws/json_client.hpp"
#include "coordination/checkpoint_store.hpp"
#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "sources/dynamodb/dynamodb_streams_api.hpp"
#include "sources/dynamodb/stream_record_envelope.hpp"
#include "sources/millis_behind.hpp"

namespace shardpipe {
namespace {

using namespace std::chrono_literals;
using dynamodb::StreamsApi;
using SteadyClock = std::chrono::steady_clock;

// GetRecords returns at most 1000 records (and 1 MB) per call.
constexpr int max_records_per_call = 1000;
// A reader that got records may be behind (a page holds at most 1000 records or 1 MB): it calls
// again at once, as the KCL does. At the tip (an empty page) it polls four times a second, as
// EventBridge Pipes does.
constexpr auto tip_interval = 250ms;
// ApproximateCreationDateTime is rounded down, by AWS to the second and by DynamoDB Local to the
// minute: a start at a moment skips only records created more than this before it.
constexpr int64_t creation_time_rounding_ms = 60'000;
// DescribeStream is limited to 10 calls per second per account: shards are listed again after
// this, or at once when a reader has reached the end of a shard (its children may be listed).
constexpr auto rediscovery_interval = 10s;
// Re-acquiring an expired iterator and trying again, before the error goes to the consumer.
constexpr int iterator_attempts = 3;
constexpr aws::RetryOptions reader_retry{.max_attempts = 4,
                                         .request_timeout = std::chrono::seconds(10)};
// Shard discovery runs in the loop that renews leases: it must not stall it for long.
constexpr aws::RetryOptions discovery_retry{.max_attempts = 2,
                                            .backoff_max = std::chrono::milliseconds(500),
                                            .request_timeout = std::chrono::seconds(3)};

struct StreamContext {
  aws::ServiceEndpoint endpoint;
  aws::Credentials credentials;
  std::string stream_arn;
  config::DataEncoding encoding;

  std::atomic<bool> shard_ended{false};  // a reader reached a shard's end since the last listing
  MillisBehindByShard millis_behind;     // of the last record of each shard's last page

  StreamsApi api(aws::RetryOptions retry) const {
    return StreamsApi(aws::JsonClient(endpoint, credentials, retry), stream_arn);
  }
};

class DynamoDbShardReader final : public ShardReader {
 public:
  DynamoDbShardReader(std::shared_ptr<StreamContext> context, std::string shard_id,
                      const StartPosition& start)
      : context_(std::move(context)),
        api_(context_->api(reader_retry)),
        shard_id_(std::move(shard_id)),
        position_(start),
        envelope_(context_->stream_arn, context_->encoding) {
    if (start.kind == StartKind::at_timestamp) {
      // DynamoDB Streams has no AT_TIMESTAMP iterator: read from the oldest record and skip
      // those created before the moment.
      position_ = StartPosition::trim_horizon();
      skip_created_before_ms_ = start.timestamp_ms - creation_time_rounding_ms;
    }
  }

  Result<ReadBatch> read(size_t max_records, size_t max_bytes) override {
    ReadBatch batch;
    if (pending_.empty() && !ended_) {
      auto now = SteadyClock::now();
      if (now < next_call_) return batch;
      int limit = static_cast<int>(std::clamp<size_t>(max_records, 1, max_records_per_call));
      auto page = fetch(limit);
      if (!page) return fail(page.error());
      next_call_ = page->records.empty() ? now + tip_interval : now;
      take(std::move(*page));
    }
    size_t bytes = 0;
    while (!pending_.empty() && batch.records.size() < std::max<size_t>(max_records, 1) &&
           (batch.records.empty() || bytes + pending_.front().envelope.size() <= max_bytes)) {
      bytes += pending_.front().envelope.size();
      batch.records.push_back(std::move(pending_.front()));
      pending_.pop_front();
    }
    batch.shard_end = ended_ && pending_.empty();
    if (batch.shard_end) context_->shard_ended = true;
    batch.millis_behind = context_->millis_behind.of(shard_id_);
    return batch;
  }

  // LATEST is the shard's tip when the pipe checkpointed the moment it means: acquired at once.
  Status acquire_iterator() {
    auto acquired = api_.shard_iterator(shard_id_, position_);
    if (acquired) {
      iterator_ = std::move(*acquired);
      return {};
    }
    return fail(shard_error(acquired.error()));
  }

 private:
  Result<dynamodb::RecordsPage> fetch(int limit) {
    for (int attempt = 1;; ++attempt) {
      const bool last_attempt = attempt >= iterator_attempts;
      if (!iterator_) {
        auto acquired = api_.shard_iterator(shard_id_, position_);
        if (!acquired) {
          if (!last_attempt && lost_before_read(acquired.error())) continue;
          return fail(shard_error(acquired.error()));
        }
        iterator_ = std::move(*acquired);
      }
      auto page = api_.get_records(*iterator_, limit);
      if (page) return std::move(*page);
      iterator_.reset();
      if (!last_attempt && page.error().code == "ExpiredIteratorException") {
        // Never LATEST and never a skip: start again right after the last record read.
        spdlog::info("shard {}: iterator expired; re-acquired {}", shard_id_,
                     describe_position(position_));
        continue;
      }
      if (!last_attempt && lost_before_read(page.error())) continue;
      return fail(shard_error(page.error()));
    }
  }

  // The records after the position were trimmed (older than the stream's 24 hours) before they
  // were read: what remains is read from the oldest record, and the gap is reported with it.
  bool lost_before_read(const aws::AwsError& error) {
    if (error.code != "TrimmedDataAccessException" ||
        position_.kind != StartKind::after_sequence_number) {
      return false;
    }
    spdlog::error(
        "shard {}: records after {} were trimmed before they were read; reading on "
        "from the oldest record still in the shard",
        shard_id_, position_.sequence_number);
    lost_after_ = position_.sequence_number;
    position_ = StartPosition::trim_horizon();
    return true;
  }

  void take(dynamodb::RecordsPage page) {
    if (lost_after_) pending_.push_back(gap_marker(page));
    for (const auto& record : page.records) {
      position_ = StartPosition::after(record.sequence_number);
      if (skip_created_before_ms_) {
        if (record.created_ms < *skip_created_before_ms_) continue;
        skip_created_before_ms_.reset();  // a shard's records are in order of creation
      }
      pending_.push_back(envelope_.render(record));
    }
    iterator_ = std::move(page.next_iterator);
    ended_ = !iterator_.has_value();
    int64_t behind = page.records.empty() ? 0 : unix_now_ms() - page.records.back().created_ms;
    context_->millis_behind.record(shard_id_, std::max<int64_t>(0, behind));
  }

  // Handled in order like a record, at the position before the gap.
  Record gap_marker(const dynamodb::RecordsPage& page) {
    std::string after = std::move(*lost_after_);
    lost_after_.reset();
    std::string first = page.records.empty() ? std::string() : page.records.front().sequence_number;
    Record marker;
    marker.sequence_number = after;
    marker.event_id = fmt::format("{}:lost-after:{}", shard_id_, after);
    marker.arrival_ms = unix_now_ms();
    marker.data_lost = fmt::format(
        "records of shard {} after sequence number {}{} were trimmed by DynamoDB Streams (24-hour "
        "retention) before they were read",
        shard_id_, after, first.empty() ? "" : " and before " + first);
    marker.raw_data = R"({"streamArn":)";
    append_json_string(marker.raw_data, context_->stream_arn);
    marker.raw_data += R"(,"shardId":)";
    append_json_string(marker.raw_data, shard_id_);
    marker.raw_data += R"(,"lostAfter":)";
    append_json_string(marker.raw_data, after);
    marker.raw_data += R"(,"firstAvailable":)";
    if (first.empty()) {
      marker.raw_data += "null";
    } else {
      append_json_string(marker.raw_data, first);
    }
    marker.raw_data += '}';
    return marker;
  }

  Error shard_error(aws::AwsError error) const {
    if (error.code == "ResourceNotFoundException") {
      return Error::fatal(fmt::format("shard {} of stream {}: {}", shard_id_, context_->stream_arn,
                                      error.error.message));
    }
    if (error.code == "ExpiredIteratorException" || error.code == "TrimmedDataAccessException") {
      // Iterators that keep expiring (a slow or overloaded service): acquired again on the next
      // read, after the consumer's backoff. Never a reason to stop.
      error.error.kind = ErrorClass::retriable;
    }
    // Any other permanent answer to a request built here will not change by itself: stop rather
    // than loop.
    if (error.error.kind == ErrorClass::permanent) error.error.kind = ErrorClass::fatal;
    error.error.message = fmt::format("shard {}: {}", shard_id_, error.error.message);
    return std::move(error.error);
  }

  std::shared_ptr<StreamContext> context_;
  StreamsApi api_;
  std::string shard_id_;
  StartPosition position_;  // where a new iterator starts: after the last record read
  std::optional<std::string> iterator_;
  bool ended_ = false;  // the closed shard's last page is read
  SteadyClock::time_point next_call_{};
  std::optional<int64_t> skip_created_before_ms_;  // a start at a moment, until it is reached
  std::optional<std::string> lost_after_;          // a gap found, reported with the next page
  dynamodb::StreamRecordEnvelope envelope_;
  std::deque<Record> pending_;  // read, not yet handed out
};

class DynamoDbStreamsSource final : public Source {
 public:
  explicit DynamoDbStreamsSource(std::shared_ptr<StreamContext> context)
      : context_(std::move(context)), api_(context_->api(discovery_retry)) {}

  std::string type() const override { return "dynamodb_streams"; }

  Result<std::vector<ShardDescription>> list_shards() override {
    std::lock_guard lock(api_mutex_);
    auto now = SteadyClock::now();
    if (listed_ && now - listed_at_ < rediscovery_interval &&
        !context_->shard_ended.exchange(false)) {
      return *listed_;
    }
    auto stream = api_.describe_stream();
    if (!stream) return fail(stream_error(stream.error()));
    report_status(stream->status);
    std::vector<ShardDescription> shards;
    shards.reserve(stream->shards.size());
    for (auto& shard : stream->shards) {
      std::vector<std::string> parents;
      if (!shard.parent_shard_id.empty()) parents.push_back(std::move(shard.parent_shard_id));
      shards.push_back({std::move(shard.shard_id), std::move(parents), shard.open});
    }
    listed_ = shards;
    listed_at_ = now;
    return shards;
  }

  Result<std::unique_ptr<ShardReader>> open_shard(const std::string& shard_id,
                                                  const StartPosition& start) override {
    auto reader = std::make_unique<DynamoDbShardReader>(context_, shard_id, start);
    if (start.kind == StartKind::latest) {
      if (auto acquired = reader->acquire_iterator(); !acquired) return fail(acquired.error());
    }
    return reader;
  }

  // DynamoDB Streams cannot tell a shard's newest sequence number without reading it: LATEST
  // becomes the moment it is resolved, found again by creation time after a restart.
  Result<std::string> resolve_latest(const std::string& /*shard_id*/) override {
    return fmt::format("{}{}", coordination::checkpoint_at_timestamp_prefix, unix_now_ms());
  }

  Result<ShardLag> lag(const std::string& shard_id, const std::string& /*checkpoint*/) override {
    return context_->millis_behind.lag(shard_id);
  }

 private:
  // A disabled stream closes its shards: what it holds is still read, nothing new arrives.
  void report_status(const std::string& status) {
    if (status == reported_status_) return;
    reported_status_ = status;
    if (status == "DISABLED" || status == "DISABLING") {
      spdlog::error(
          "DynamoDB stream {} is {}: its shards are closed and no new changes will arrive; what it "
          "holds is still read. Enabling the table's stream again creates a new stream (a new "
          "ARN): point source.stream at the table or the new ARN and start the pipe again",
          context_->stream_arn, status);
    } else {
      spdlog::info("DynamoDB stream {} is {}", context_->stream_arn, status);
    }
  }

  Error stream_error(aws::AwsError error) const {
    if (error.code == "ResourceNotFoundException") {
      return Error::fatal(fmt::format("DynamoDB stream {} not found at {} ({})",
                                      context_->stream_arn, context_->endpoint.url,
                                      error.error.message));
    }
    return std::move(error.error);
  }

  std::shared_ptr<StreamContext> context_;
  std::mutex api_mutex_;
  StreamsApi api_;
  std::optional<std::vector<ShardDescription>> listed_;
  SteadyClock::time_point listed_at_{};
  std::string reported_status_;
};

// A table name as DynamoDB takes it: 3 to 255 of [a-zA-Z0-9_.-].
bool is_table_name(std::string_view name) {
  return name.size() >= 3 && name.size() <= 255 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
         });
}

}  // namespace

Result<std::unique_ptr<Source>> make_dynamodb_streams_source(const config::SourceConfig& config) {
  auto context = std::make_shared<StreamContext>();
  context->encoding = config.data_encoding;
  std::string arn_region;
  const bool is_arn = config.stream.starts_with("arn:");
  if (is_arn) {
    auto arn = aws::parse_arn(config.stream);
    if (!arn || arn->service != "dynamodb" || arn->resource.find("/stream/") == std::string::npos) {
      return fail(
          Error::fatal(fmt::format("source.stream: '{}' is not the ARN of a DynamoDB stream "
                                   "(arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL)",
                                   config.stream)));
    }
    arn_region = arn->region;
  } else if (!is_table_name(config.stream)) {
    return fail(Error::fatal(fmt::format(
        "source.stream: '{}' is neither a DynamoDB stream ARN nor a table name (3 to 255 of "
        "a-z, A-Z, 0-9, '_', '-', '.')",
        config.stream)));
  }
  auto region = aws::resolve_region(config.region.empty() ? arn_region : config.region);
  if (!region) return fail(region.error());
  auto credentials = aws::load_credentials();
  if (!credentials) return fail(credentials.error());
  context->credentials = std::move(*credentials);
  context->endpoint = {.url = aws::endpoint_url("streams.dynamodb", *region, config.endpoint),
                       .region = *region,
                       .service = "dynamodb",
                       .target_prefix = "DynamoDBStreams_20120810",
                       .json_version = "1.0"};
  if (is_arn) {
    context->stream_arn = config.stream;
  } else {
    aws::JsonClient tables({.url = aws::endpoint_url("dynamodb", *region, config.endpoint),
                            .region = *region,
                            .service = "dynamodb",
                            .target_prefix = "DynamoDB_20120810",
                            .json_version = "1.0"},
                           context->credentials);
    auto arn = dynamodb::latest_stream_arn(tables, config.stream);
    if (!arn) {
      if (arn.error().code == "ResourceNotFoundException") {
        return fail(Error::fatal(fmt::format("DynamoDB table {} not found at {}", config.stream,
                                             tables.endpoint().url)));
      }
      return fail(std::move(arn.error().error));
    }
    context->stream_arn = std::move(*arn);
  }
  // The stream must exist now, not at the first read.
  auto stream = context->api(aws::RetryOptions{}).describe_stream();
  if (!stream) {
    if (stream.error().code == "ResourceNotFoundException") {
      return fail(Error::fatal(fmt::format("DynamoDB stream {} not found at {}",
                                           context->stream_arn, context->endpoint.url)));
    }
    return fail(std::move(stream.error().error));
  }
  return std::make_unique<DynamoDbStreamsSource>(std::move(context));
}

}  // namespace shardpipe
