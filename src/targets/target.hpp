// Where delivered records go. A Target opens one ShardSink per shard (as the KCL opens one
// record processor per shard); the sink tells the engine which records are durably delivered.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/pipe_config.hpp"
#include "core/record.hpp"
#include "core/result.hpp"

namespace shardpipe {

struct DeliveryOutcome {
  size_t accepted = 0;              // how many records of the batch (a prefix) the sink took
  std::vector<uint64_t> delivered;  // ordinals now durably delivered (may include earlier batches')
  std::optional<Error> error;       // why it stopped before the end of the batch
  // True when the sink closed a unit (a file) at a point that a replay would not choose by itself:
  // the engine then checkpoints before delivering more, so replays rebuild the same units.
  bool checkpoint_now = false;
};

class ShardSink {
 public:
  virtual ~ShardSink() = default;
  // Delivers or buffers `batch` (in shard order). On error the records from `accepted` on were
  // not taken and are offered again by the caller.
  virtual DeliveryOutcome deliver(std::span<const Record> batch) = 0;
  // Makes everything taken so far durable (a buffering sink writes its partial unit).
  virtual DeliveryOutcome flush() = 0;
  // Records taken but not yet durably delivered.
  virtual size_t pending() const = 0;
};

class Target {
 public:
  virtual ~Target() = default;
  virtual Result<std::unique_ptr<ShardSink>> open_shard(const std::string& shard_id) = 0;
};

Result<std::unique_ptr<Target>> make_target(const config::TargetConfig& config);

}  // namespace shardpipe
