#include "targets/kinesis/kinesis_target.hpp"

#include <fmt/format.h>

#include <optional>
#include <string_view>

#include "aws/credentials.hpp"
#include "aws/json_client.hpp"
#include "aws/kinesis_stream_reference.hpp"
#include "targets/kinesis/partition_key.hpp"
#include "targets/kinesis/put_records_answer.hpp"
#include "targets/kinesis/put_records_body.hpp"
#include "targets/kinesis/request_split.hpp"

namespace shardpipe {
namespace {

using namespace kinesis_target;

// A few quick retries absorb a blip without counting an attempt against the records; longer
// waits are the engine's retry policy, which a shutdown can interrupt.
constexpr aws::RetryOptions put_retry{.max_attempts = 3,
                                      .backoff_max = std::chrono::milliseconds(1000),
                                      .request_timeout = std::chrono::seconds(30)};

struct KinesisSettings {
  aws::ServiceEndpoint endpoint;
  aws::Credentials credentials;
  std::string stream_name;
  std::string partition_key_field;
};

class KinesisSink final : public ShardSink {
 public:
  explicit KinesisSink(std::shared_ptr<const KinesisSettings> settings)
      : settings_(std::move(settings)),
        client_(settings_->endpoint, settings_->credentials, put_retry),
        keys_(settings_->partition_key_field) {}

  DeliveryOutcome deliver(std::span<const Record> batch) override {
    DeliveryOutcome outcome;
    if (batch.empty()) return outcome;

    // Records Kinesis would refuse are refused here, without being sent.
    std::vector<std::string> keys(batch.size());
    std::vector<std::optional<Error>> refused(batch.size());
    std::vector<std::optional<size_t>> bytes(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      auto key = keys_.key_for(batch[i]);
      if (!key) {
        refused[i] = std::move(key.error());
      } else if (batch[i].envelope.size() > max_record_data_bytes) {
        refused[i] = Error::permanent(
            fmt::format("the record is {} bytes; Kinesis takes at most {} bytes of data per record",
                        batch[i].envelope.size(), max_record_data_bytes));
      } else {
        keys[i] = std::move(*key);
        bytes[i] = batch[i].envelope.size() + keys[i].size();
      }
    }

    for (const auto& request : split_requests(bytes)) {
      size_t refused_by_kinesis = 0;
      std::string first_refusal;
      if (!request.entries.empty()) {
        auto results = put(batch, keys, request);
        // The records of earlier requests stay taken; this one's and the rest are offered again.
        if (!results) {
          outcome.error = std::move(results.error());
          return outcome;
        }
        for (size_t index : results->delivered) outcome.delivered.push_back(batch[index].ordinal);
        refused_by_kinesis = results->failed.size();
        if (!results->failed.empty()) first_refusal = results->failed.front().error.message;
        for (auto& item : results->failed) outcome.failed_items.push_back(std::move(item));
      }
      for (size_t i = request.begin; i < request.end; ++i) {
        if (refused[i]) outcome.failed_items.push_back({i, *refused[i]});
      }
      outcome.accepted = request.end;
      if (refused_by_kinesis > 0 && request.end < batch.size()) {
        // Kinesis is throttling (or failing): more requests now would be refused too. The rest
        // waits for the engine's backoff.
        outcome.error = Error::retriable(fmt::format(
            "Kinesis refused {} records of a request ({}); the batch's last {} records wait for "
            "the retry",
            refused_by_kinesis, first_refusal, batch.size() - request.end));
        return outcome;
      }
    }
    return outcome;
  }

  DeliveryOutcome flush() override { return {}; }
  size_t pending() const override { return 0; }

 private:
  Result<RequestResults> put(std::span<const Record> batch, const std::vector<std::string>& keys,
                             const PlannedRequest& request) {
    std::vector<PutEntry> entries;
    std::vector<std::string_view> sent_keys;
    entries.reserve(request.entries.size());
    sent_keys.reserve(request.entries.size());
    for (size_t index : request.entries) {
      entries.push_back({batch[index].envelope, keys[index]});
      sent_keys.push_back(keys[index]);
    }
    auto answer = client_.call("PutRecords", put_records_body(settings_->stream_name, entries));
    if (!answer) return fail(request_error(std::move(answer.error())));
    auto results = parse_put_records_answer(*answer, entries.size());
    if (!results) return fail(std::move(results.error()));
    return map_results(request.entries, sent_keys, *results);
  }

  Error request_error(aws::AwsError error) const {
    if (error.code == "ResourceNotFoundException") {
      return Error::fatal(fmt::format("Kinesis stream {} not found at {} ({})",
                                      settings_->stream_name, settings_->endpoint.url,
                                      error.error.message));
    }
    return std::move(error.error);
  }

  std::shared_ptr<const KinesisSettings> settings_;
  aws::JsonClient client_;  // this sink's own connection: a sink is used by one thread
  PartitionKeySelector keys_;
};

class KinesisTarget final : public Target {
 public:
  explicit KinesisTarget(std::shared_ptr<const KinesisSettings> settings)
      : settings_(std::move(settings)) {}
  Result<std::unique_ptr<ShardSink>> open_shard(const std::string&) override {
    return std::make_unique<KinesisSink>(settings_);
  }

 private:
  std::shared_ptr<const KinesisSettings> settings_;
};

}  // namespace

Result<std::unique_ptr<Target>> make_kinesis_target(const config::TargetConfig& config) {
  auto stream = aws::parse_stream_reference(config.stream);
  if (!stream) return fail(std::move(stream.error()));
  auto region = aws::resolve_region(config.region.empty() ? stream->region : config.region);
  if (!region) return fail(std::move(region.error()));
  auto credentials = aws::load_credentials();
  if (!credentials) return fail(std::move(credentials.error()));
  auto settings = std::make_shared<KinesisSettings>();
  settings->endpoint = {.url = aws::endpoint_url("kinesis", *region, config.endpoint),
                        .region = *region,
                        .service = "kinesis",
                        .target_prefix = "Kinesis_20131202"};
  settings->credentials = std::move(*credentials);
  settings->stream_name = std::move(stream->name);
  settings->partition_key_field = config.partition_key_field;
  return std::make_unique<KinesisTarget>(std::move(settings));
}

}  // namespace shardpipe
