// The s3 target (docs/s3-target.md): the exactly-once pattern of the file target with objects.
// Each shard buffers up to records_per_object records into one object,
// <prefix><shardId>/<first sequence, zero-padded to 20 digits>.jsonl[.gz|.zst], uploads it, and
// reports its records delivered only once S3 answered 200. Object boundaries depend only on the
// checkpoint, so a replay writes the same keys with the same bytes.
#pragma once

#include <memory>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "targets/target.hpp"

namespace shardpipe {

// Resolves region and credentials and checks the bucket (HeadBucket) once, here: a missing
// bucket, refused access, a bucket in another region or an S3 that cannot be reached are fatal,
// so a wrong setting fails when the pipe starts.
Result<std::unique_ptr<Target>> make_s3_target(const config::TargetConfig& config);

}  // namespace shardpipe
