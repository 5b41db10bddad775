#include "sources/kinesis/kinesis_source.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <utility>

#include "aws/credentials.hpp"
#include "aws/json_client.hpp"
#include "aws/kinesis_stream_reference.hpp"
#include "coordination/checkpoint_store.hpp"
#include "core/clock.hpp"
#include "core/sequence_number.hpp"
#include "sources/kinesis/get_records_pacer.hpp"
#include "sources/kinesis/kinesis_api.hpp"
#include "sources/kinesis/user_record_queue.hpp"
#include "sources/millis_behind.hpp"
#include "sources/stream_envelope.hpp"

namespace shardpipe {
namespace {

using kinesis::GetRecordsPacer;
using kinesis::KinesisApi;

// GetRecords returns at most 10,000 records per call.
constexpr size_t max_records_per_call = 10000;
// Re-acquiring an expired iterator and trying again, before the error goes to the consumer.
constexpr int expired_iterator_attempts = 3;
// A shard reader's calls: the consumer backs off and reads again after these, and a shutdown
// waits for the call in flight, so none takes long.
constexpr aws::RetryOptions reader_retry{.max_attempts = 4,
                                         .request_timeout = std::chrono::seconds(10)};
// Shard discovery runs in the loop that renews leases: a call that hangs must not stall it
// long enough for a lease to expire. Discovery runs again a second later anyway.
constexpr aws::RetryOptions discovery_retry{.max_attempts = 2,
                                            .backoff_max = std::chrono::milliseconds(500),
                                            .request_timeout = std::chrono::seconds(3)};

struct StreamContext {
  aws::ServiceEndpoint endpoint;
  aws::Credentials credentials;
  std::string stream_name;
  std::string stream_arn;
  config::DataEncoding encoding;

  MillisBehindByShard millis_behind;  // MillisBehindLatest of each shard's last GetRecords

  KinesisApi api(aws::RetryOptions retry) const {
    return KinesisApi(aws::JsonClient(endpoint, credentials, retry), stream_name);
  }
};

// The consumer reacts to the error class; the AWS code is only in the message.
Error error_of(aws::AwsError error) {
  return std::move(error.error);
}

// Where a reader starts. A checkpoint inside a KPL aggregate, "SEQ:N", starts AT the aggregate
// SEQ, and its sub-records 0..N are dropped when it is read.
struct ReaderStart {
  StartPosition position;
  std::optional<std::pair<std::string, uint64_t>> inside_aggregate;
};

Result<ReaderStart> reader_start(const std::string& shard_id, const StartPosition& start) {
  if (start.kind != StartKind::after_sequence_number ||
      start.sequence_number.find(':') == std::string::npos) {
    return ReaderStart{start, std::nullopt};
  }
  auto [sequence, sub] = split_sub_sequence(start.sequence_number);
  auto handled_through = parse_sequence_u64(sub);
  if (!is_sequence_number(sequence) || !handled_through) {
    return fail(Error::fatal(fmt::format(
        "shard {}: checkpoint '{}' is neither a sequence number nor SEQUENCE:SUBSEQUENCE", shard_id,
        start.sequence_number)));
  }
  return ReaderStart{StartPosition::at(std::string(sequence)),
                     std::pair{std::string(sequence), *handled_through}};
}

class KinesisShardReader final : public ShardReader {
 public:
  KinesisShardReader(std::shared_ptr<StreamContext> context, std::string shard_id,
                     ReaderStart start)
      : context_(std::move(context)),
        api_(context_->api(reader_retry)),
        shard_id_(std::move(shard_id)),
        position_(std::move(start.position)),
        queue_(shard_id_, StreamEnvelopeWriter("aws:kinesis", shard_id_, context_->stream_arn,
                                               context_->endpoint.region, context_->encoding)) {
    if (start.inside_aggregate) {
      queue_.resume_inside(std::move(start.inside_aggregate->first),
                           start.inside_aggregate->second);
    }
  }

  Result<ReadBatch> read(size_t max_records, size_t max_bytes) override {
    ReadBatch batch;
    // GetRecords only once what the last page brought is handed out: an aggregate may hold more
    // user records than the consumer has room for.
    if (queue_.empty() && !shard_ended_) {
      // Too early for the next call: an empty batch now; the consumer comes back shortly.
      auto now = GetRecordsPacer::Clock::now();
      if (!pacer_.may_call(now)) return batch;
      auto page = fetch(static_cast<int>(std::clamp<size_t>(max_records, 1, max_records_per_call)));
      if (!page) return fail(page.error());
      batch.millis_behind = page->millis_behind;
      // Kinesis counts calls per second by when they start: the next may start 200 ms after this
      // one started, not after it ended.
      pacer_.called(now, page->records.empty() && page->millis_behind.value_or(0) == 0);
      take(std::move(*page));
    }
    queue_.take(std::max<size_t>(max_records, 1), max_bytes, batch.records);
    batch.shard_end = shard_ended_ && queue_.empty();
    return batch;
  }

  Status acquire_iterator() {
    auto acquired = api_.shard_iterator(shard_id_, position_);
    if (!acquired) return fail(iterator_error(acquired.error()));
    iterator_ = std::move(*acquired);
    return {};
  }

 private:
  Result<kinesis::RecordsPage> fetch(int limit) {
    for (int attempt = 1;; ++attempt) {
      if (!iterator_) {
        if (auto acquired = acquire_iterator(); !acquired) return fail(acquired.error());
      }
      auto page = api_.get_records(*iterator_, limit);
      if (page) return std::move(*page);
      if (page.error().code == "ExpiredIteratorException" && attempt < expired_iterator_attempts) {
        // Never LATEST and never a skip: start again right after the last record read. A page
        // holds whole Kinesis records, so that is never inside an aggregate.
        spdlog::info("shard {}: iterator expired; re-acquired {}", shard_id_,
                     describe_position(position_));
        iterator_.reset();
        continue;
      }
      iterator_.reset();
      return fail(shard_error(page.error()));
    }
  }

  void take(kinesis::RecordsPage page) {
    if (!page.records.empty())
      position_ = StartPosition::after(page.records.back().sequence_number);
    queue_.push(std::move(page.records));
    iterator_ = std::move(page.next_iterator);
    shard_ended_ = !iterator_.has_value();
    if (page.millis_behind) context_->millis_behind.record(shard_id_, *page.millis_behind);
  }

  // GetShardIterator refused: a moment this host's clock has reached but the service's not yet
  // is valid soon; anything else is as for any call.
  Error iterator_error(aws::AwsError error) const {
    if (error.code == "InvalidArgumentException" && position_.kind == StartKind::at_timestamp) {
      error.error.kind = ErrorClass::retriable;
      error.error.message += " (the start timestamp may be ahead of the service's clock)";
    }
    return shard_error(std::move(error));
  }

  Error shard_error(aws::AwsError error) const {
    if (error.code == "ResourceNotFoundException") {
      return Error::fatal(fmt::format("shard {} of stream {}: {}", shard_id_, context_->stream_name,
                                      error.error.message));
    }
    if (error.code == "ExpiredIteratorException") {
      // Iterators that keep expiring (a slow or overloaded service): the iterator is acquired
      // again on the next read, after the consumer's backoff. Never a reason to stop.
      error.error.kind = ErrorClass::retriable;
    }
    // Any other permanent answer to a request built here will not change by itself: stop rather
    // than loop.
    if (error.error.kind == ErrorClass::permanent) error.error.kind = ErrorClass::fatal;
    error.error.message = fmt::format("shard {}: {}", shard_id_, error.error.message);
    return error_of(std::move(error));
  }

  std::shared_ptr<StreamContext> context_;
  KinesisApi api_;
  std::string shard_id_;
  StartPosition position_;  // where a new iterator starts: after the last record read
  std::optional<std::string> iterator_;
  bool shard_ended_ = false;  // the closed shard's last page is read
  GetRecordsPacer pacer_;
  kinesis::UserRecordQueue queue_;
};

class KinesisSource final : public Source {
 public:
  KinesisSource(std::shared_ptr<StreamContext> context)
      : context_(std::move(context)), api_(context_->api(discovery_retry)) {}

  std::string type() const override { return "kinesis"; }

  Result<std::vector<ShardDescription>> list_shards() override {
    std::lock_guard lock(api_mutex_);
    auto listed = api_.list_shards();
    if (!listed) return fail(stream_error(listed.error()));
    std::vector<ShardDescription> shards;
    shards.reserve(listed->size());
    for (auto& shard : *listed) {
      shards.push_back({std::move(shard.shard_id), std::move(shard.parent_shard_ids), shard.open});
    }
    return shards;
  }

  Result<std::unique_ptr<ShardReader>> open_shard(const std::string& shard_id,
                                                  const StartPosition& start) override {
    auto reader_at = reader_start(shard_id, start);
    if (!reader_at) return fail(reader_at.error());
    auto reader = std::make_unique<KinesisShardReader>(context_, shard_id, std::move(*reader_at));
    // LATEST is the shard's tip now, when the pipe checkpointed the moment it means: acquired
    // at once, so that records put before the first read are not skipped. Other iterators are
    // acquired on the first read.
    if (start.kind == StartKind::latest) {
      if (auto acquired = reader->acquire_iterator(); !acquired) return fail(acquired.error());
    }
    return reader;
  }

  // Kinesis cannot tell the sequence number of a shard's newest record without reading it: LATEST
  // becomes the moment it is resolved, which the service's arrival timestamps can be sought to.
  Result<std::string> resolve_latest(const std::string& /*shard_id*/) override {
    return fmt::format("{}{}", coordination::checkpoint_at_timestamp_prefix, unix_now_ms());
  }

  Result<ShardLag> lag(const std::string& shard_id, const std::string& /*checkpoint*/) override {
    return context_->millis_behind.lag(shard_id);
  }

 private:
  Error stream_error(aws::AwsError error) const {
    if (error.code == "ResourceNotFoundException") {
      return Error::fatal(fmt::format("Kinesis stream {} not found at {} ({})",
                                      context_->stream_name, context_->endpoint.url,
                                      error.error.message));
    }
    return error_of(std::move(error));
  }

  std::shared_ptr<StreamContext> context_;
  std::mutex api_mutex_;
  KinesisApi api_;
};

}  // namespace

Result<std::unique_ptr<Source>> make_kinesis_source(const config::SourceConfig& config) {
  auto context = std::make_shared<StreamContext>();
  auto stream = aws::parse_stream_reference(config.stream, "source.stream");
  if (!stream) return fail(stream.error());
  context->stream_name = stream->name;
  context->encoding = config.data_encoding;
  std::string configured_region = config.region.empty() ? stream->region : config.region;
  auto region = aws::resolve_region(configured_region);
  if (!region) return fail(region.error());
  auto credentials = aws::load_credentials();
  if (!credentials) return fail(credentials.error());
  context->credentials = std::move(*credentials);
  context->endpoint = {.url = aws::endpoint_url("kinesis", *region, config.endpoint),
                       .region = *region,
                       .service = "kinesis",
                       .target_prefix = "Kinesis_20131202"};
  if (config.stream.starts_with("arn:")) {
    context->stream_arn = config.stream;
  } else {
    auto arn = context->api(aws::RetryOptions{}).stream_arn();
    if (!arn) {
      if (arn.error().code == "ResourceNotFoundException") {
        return fail(Error::fatal(fmt::format("Kinesis stream {} not found at {}",
                                             context->stream_name, context->endpoint.url)));
      }
      return fail(error_of(arn.error()));
    }
    context->stream_arn = std::move(*arn);
  }
  return std::make_unique<KinesisSource>(std::move(context));
}

}  // namespace shardpipe
