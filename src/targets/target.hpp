// Where delivered records go. A Target opens one ShardSink per shard (as the KCL opens one
// record processor per shard); the sink tells the engine which records are durably delivered.
//
// Two kinds of sink exist:
// - A delivering sink (http, command, kafka, ...) sends each batch when asked and answers for it:
//   all delivered, the whole batch failed (`error`, nothing accepted), or some records refused
//   (`failed_items`, a partial batch failure). Its failures count as attempts of the records, so
//   the retry policy, bisection and the dead letters apply (pipeline/batch_delivery.hpp).
// - A buffering sink (file) takes records into units that it writes later. Its errors are about a
//   unit (a full disk), not about records: they are retried until the unit is written and never
//   send a record to the dead letters. Only a failure before it took the batch (an enrichment in
//   front of it, `refused_before_buffering`) is the records', as for a delivering sink.
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

// One record of a batch that the target refused while it took the others.
struct ItemFailure {
  size_t index = 0;  // into the batch that was offered
  Error error;
};

struct DeliveryOutcome {
  size_t accepted = 0;              // how many records of the batch (a prefix) the sink took
  std::vector<uint64_t> delivered;  // ordinals now durably delivered (may include earlier batches')
  std::optional<Error> error;       // why it stopped before the end of the batch
  std::vector<ItemFailure> failed_items;  // refused records within the accepted prefix
  // True when the sink closed a unit (a file) at a point that a replay would not choose by itself:
  // the engine then checkpoints before delivering more, so replays rebuild the same units.
  bool checkpoint_now = false;
  // Set by a buffering sink whose batch failed before it took any of it (an enrichment in front
  // of it failed): the failure is about the records, so the retry policy, bisection and the dead
  // letters apply to them as for a delivering sink.
  bool refused_before_buffering = false;

  // The whole batch failed: nothing taken, nothing delivered.
  static DeliveryOutcome failed(Error error) {
    DeliveryOutcome outcome;
    outcome.error = std::move(error);
    return outcome;
  }
};

// Why a sink is closed; a record processor may act on each (KCL: shardEnded, leaseLost,
// shutdownRequested).
enum class CloseReason { shard_end, lease_lost, shutdown };

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
  // See the top of this file.
  virtual bool buffering() const { return false; }
  // Called once before the sink is dropped. With shard_end, everything was delivered and the
  // SHARD_END checkpoint follows only if this succeeds.
  virtual Status close(CloseReason /*reason*/) { return {}; }
};

class Target {
 public:
  virtual ~Target() = default;
  virtual Result<std::unique_ptr<ShardSink>> open_shard(const std::string& shard_id) = 0;
};

Result<std::unique_ptr<Target>> make_target(const config::TargetConfig& config);

}  // namespace shardpipe
