// One shard's buffering sink of the s3 target: a unit (targets/unit_sink.hpp) becomes one object,
// compressed as configured and uploaded whole.
#pragma once

#include <memory>
#include <string>

#include "targets/s3/compression.hpp"
#include "targets/s3/object_upload.hpp"
#include "targets/s3/s3_client.hpp"
#include "targets/unit_sink.hpp"

namespace shardpipe::s3 {

struct ObjectSettings {
  std::string prefix;
  Compression compression = Compression::none;
  MultipartPolicy multipart;
};

class S3Sink final : public UnitSink {
 public:
  S3Sink(std::unique_ptr<S3Client> client, std::string shard_id,
         std::shared_ptr<const ObjectSettings> settings, size_t records_per_object);

 private:
  Status write_unit(const std::string& first_sequence, std::string_view content) override;

  std::unique_ptr<S3Client> client_;  // this sink's own connection: a sink is used by one thread
  std::string shard_id_;
  std::shared_ptr<const ObjectSettings> settings_;
};

}  // namespace shardpipe::s3
