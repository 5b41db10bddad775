#include "targets/s3/s3_sink.hpp"

#include <spdlog/spdlog.h>

#include "targets/s3/object_key.hpp"

namespace shardpipe::s3 {

S3Sink::S3Sink(std::unique_ptr<S3Client> client, std::string shard_id,
               std::shared_ptr<const ObjectSettings> settings, size_t records_per_object)
    : UnitSink(records_per_object),
      client_(std::move(client)),
      shard_id_(std::move(shard_id)),
      settings_(std::move(settings)) {}

Status S3Sink::write_unit(const std::string& first_sequence, std::string_view content) {
  const auto key = object_key(settings_->prefix, shard_id_, first_sequence, settings_->compression);
  auto body = compress(content, settings_->compression);
  if (!body) return fail(std::move(body.error()));
  const size_t bytes = body->size();
  auto uploaded = upload_object(*client_, key, std::move(*body),
                                content_type(settings_->compression), settings_->multipart);
  if (!uploaded) return uploaded;
  spdlog::debug("shard {}: wrote {} ({} bytes)", shard_id_, client_->address().describe(key),
                bytes);
  return {};
}

}  // namespace shardpipe::s3
