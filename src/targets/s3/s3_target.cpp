#include "targets/s3/s3_target.hpp"

#include <fmt/format.h>

#include "aws/credentials.hpp"
#include "targets/s3/bucket_address.hpp"
#include "targets/s3/s3_client.hpp"
#include "targets/s3/s3_requests.hpp"
#include "targets/s3/s3_sink.hpp"

namespace shardpipe {
namespace {

using namespace s3;

struct TargetSettings {
  BucketAddress address;
  std::string region;
  aws::Credentials credentials;
  size_t records_per_object = 0;
  std::shared_ptr<const ObjectSettings> objects;
};

class S3Target final : public Target {
 public:
  explicit S3Target(TargetSettings settings) : settings_(std::move(settings)) {}

  Result<std::unique_ptr<ShardSink>> open_shard(const std::string& shard_id) override {
    auto client =
        std::make_unique<S3Client>(settings_.address, settings_.region, settings_.credentials);
    return std::make_unique<S3Sink>(std::move(client), shard_id, settings_.objects,
                                    settings_.records_per_object);
  }

 private:
  TargetSettings settings_;
};

// HeadBucket: only a 200 lets the pipe start.
Status check_bucket(S3Client& client) {
  auto answer = client.send("HeadBucket", "", head_bucket_request(client.address()));
  if (answer) return {};
  Error error = std::move(answer.error());
  const auto where = fmt::format("at {}", client.address().origin);
  if (error.status_code == 404) {
    error.message = fmt::format("the S3 bucket '{}' does not exist {} ({})",
                                client.address().bucket, where, error.message);
  } else if (error.status_code == 403) {
    error.message = fmt::format(
        "access to the S3 bucket '{}' {} was refused: check the credentials and the policy ({})",
        client.address().bucket, where, error.message);
  } else if (!error.status_code) {
    error.message = fmt::format("S3 could not be reached {} ({})", where, error.message);
  }
  error.kind = ErrorClass::fatal;
  return fail(std::move(error));
}

}  // namespace

Result<std::unique_ptr<Target>> make_s3_target(const config::TargetConfig& config) {
  auto compression = parse_compression(config.compression);
  if (!compression) {
    return fail(Error::fatal(
        fmt::format("target.compression '{}' is not one of none, gzip, zstd", config.compression)));
  }
  if (config.bucket.empty()) return fail(Error::fatal("target.bucket is required for s3"));
  auto region = aws::resolve_region(config.region);
  if (!region) return fail(std::move(region.error()));
  auto credentials = aws::load_credentials();
  if (!credentials) return fail(std::move(credentials.error()));

  TargetSettings settings;
  settings.address = bucket_address(config.bucket, *region, config.endpoint);
  settings.region = std::move(*region);
  settings.credentials = std::move(*credentials);
  settings.records_per_object = static_cast<size_t>(config.records_per_object);
  settings.objects = std::make_shared<const ObjectSettings>(
      ObjectSettings{.prefix = config.prefix, .compression = *compression});

  S3Client client(settings.address, settings.region, settings.credentials);
  if (auto checked = check_bucket(client); !checked) return fail(std::move(checked.error()));
  return std::make_unique<S3Target>(std::move(settings));
}

}  // namespace shardpipe
