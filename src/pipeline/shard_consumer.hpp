// One shard's consumer, as an explicit state machine (after the KCL's ConsumerStates):
//
//   WAITING_ON_PARENTS ──► INITIALIZING ──► PROCESSING ──► SHARD_END ──────────┐
//          │                    │              │  │                            ▼
//          │                    │              │  └──► SHUTDOWN_REQUESTED ──► SHUT_DOWN
//          └────────────────────┴──────────────┴─────► LEASE_LOST ───────────┘
//
// WAITING_ON_PARENTS: a child starts only after every parent is checkpointed as SHARD_END.
// INITIALIZING: take the lease, read the checkpoint, open the reader and the target's sink.
// PROCESSING: read → route by partition key to the delivery lanes, which batch and deliver
//   (retrying) on their own threads → checkpoint below the lowest unhandled record.
// SHARD_END: deliver and flush everything, then checkpoint SHARD_END so the children can start.
// SHUTDOWN_REQUESTED: deliver and flush what was read, checkpoint, release the lease.
// LEASE_LOST: drop in-flight work and never checkpoint it.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/pipe_config.hpp"
#include "coordination/checkpoint_store.hpp"
#include "coordination/lease_balancer.hpp"
#include "filter/record_filter.hpp"
#include "pipeline/batch_delivery.hpp"
#include "pipeline/checkpoint_tracker.hpp"
#include "pipeline/delivery_lane.hpp"
#include "pipeline/in_flight_budget.hpp"
#include "pipeline/pipe_metrics.hpp"
#include "sources/source.hpp"
#include "targets/dead_letter/dead_letters.hpp"
#include "targets/target.hpp"
#include "transform/input_template.hpp"

namespace shardpipe {

enum class ConsumerState {
  waiting_on_parents,
  initializing,
  processing,
  shard_end,
  shutdown_requested,
  lease_lost,
  shut_down,
};

std::string_view to_string(ConsumerState state);

struct ConsumerSettings {
  std::string worker_id;
  size_t batch_size = 100;
  size_t max_batch_bytes = 6u << 20;
  std::chrono::milliseconds batching_window{0};
  int parallelization_factor = 1;  // delivery lanes per shard
  std::chrono::milliseconds lease_duration{10000};
  RetryPolicy retry;  // delivery retries; its backoff also paces retries of reads and checkpoints
  std::chrono::milliseconds checkpoint_interval{1000};  // coalesces checkpoint writes
  std::chrono::milliseconds idle_flush_after{1000};     // a caught-up shard flushes partial units
  StartPosition starting_position;  // for shards the pipe found when it first ran
  StartPosition child_position;     // for shards born of a split or merge
  config::OnDecodeError on_decode_error = config::OnDecodeError::dead_letter;
  // Copied per consumer: a RecordFilter is used by one thread only.
  std::optional<filter::RecordFilter> filter;
  std::optional<transform::InputTemplate> transform;
  std::string source_type;           // for dead-letter provenance
  PipeMetrics* metrics = nullptr;    // the runner's; null: no metrics
  InFlightBudget* budget = nullptr;  // the pipe's; null: only the per-shard cap applies
  // The runner's; null when the source assigns shards itself (Kafka's group).
  coordination::LeaseBalancer* balancer = nullptr;
};

class ShardConsumer {
 public:
  using Clock = std::chrono::steady_clock;

  // `dead_letters` may be null: then a record that would go there stops the shard.
  ShardConsumer(ConsumerSettings settings, ShardDescription shard, Source& source, Target& target,
                coordination::CheckpointStore& store, DeadLetterDestination* dead_letters,
                DeliveryCounters& counters);
  ~ShardConsumer();

  void start();
  // Graceful: deliver what was read, checkpoint, release. `hard_stop` ends retries at once.
  void request_shutdown() { shutdown_requested_ = true; }
  void hard_stop() { hard_stop_ = true; }
  // As request_shutdown, but the lease then passes to `worker` instead of being released.
  void hand_over_to(std::string worker);
  void join();

  // From the lease renewer.
  void notify_lease_lost() { lease_lost_ = true; }
  void notify_reset_pending() { reset_pending_ = true; }
  std::optional<coordination::Lease> lease() const;

  const std::string& shard_id() const { return shard_.shard_id; }
  ConsumerState state() const { return state_.load(); }
  bool done() const { return state_.load() == ConsumerState::shut_down; }
  bool finished_shard() const { return finished_shard_.load(); }
  // Caught up, nothing in flight, everything checkpointed.
  bool idle() const { return idle_.load(); }
  // Waiting for a lease that another live worker holds: this worker cannot own the shard now.
  bool held_elsewhere() const { return held_elsewhere_.load(); }
  const std::vector<std::string>& parent_shard_ids() const { return shard_.parent_shard_ids; }
  Clock::time_point last_activity() const;
  std::optional<Error> fatal_error() const;

 private:
  void run();
  // Until every parent is finished. A parent the source no longer lists (removed past the
  // stream's retention before it was read to its end) is reported as lost data and finished.
  bool wait_for_parents();
  bool source_lists(const std::string& shard_id);
  void finish_removed_parent(const std::string& parent, const std::string& checkpoint);
  bool initialize();
  void process();
  StartPosition start_position(const coordination::LeaseRow& row);
  static StartPosition position_of_checkpoint(const std::string& checkpoint);
  bool open_reader(StartPosition position);
  bool read_some(size_t max_records);
  // Filters and transforms a decoded record; false when it is handled here (filtered out or
  // dead-lettered) or the shard must stop.
  bool prepare(Record& record, bool& stop);
  // A gap the source found (Record::data_lost): logged, counted and dead-lettered, then handled.
  // False when the dead letter could not be written (the shard stops, as for any dead letter).
  bool report_data_lost(const Record& gap);
  // How many records may be read now: the shard's cap and the pipe's budget both have room.
  size_t read_room() const;
  bool open_lanes();
  BatchDelivery make_delivery(DeliveryLane::Wait wait);
  void route(std::vector<Record>& records);
  bool drain_lanes();
  // Stops every lane (abandoning what is in flight) and hands back their sinks.
  std::vector<std::unique_ptr<ShardSink>> stop_lanes();
  bool lanes_halted() const;
  bool close_sinks(std::vector<std::unique_ptr<ShardSink>> sinks, CloseReason reason);
  bool close_sink(ShardSink& sink, CloseReason reason);
  void apply(const DeliveryOutcome& outcome);
  bool maybe_checkpoint(bool force);
  bool write_checkpoint(const std::string& value, bool must_succeed);
  bool write_checkpoint_locked(const std::string& value, bool must_succeed);
  void adopt_reset();
  void finish_shard();
  void shut_down_gracefully();
  // Hands the lease to the worker named by hand_over_to, or releases it.
  void give_up_lease();
  bool sleep_for(std::chrono::milliseconds duration);
  void set_fatal(Error error);
  bool stopping() const { return shutdown_requested_ || hard_stop_ || lease_lost_; }

  ConsumerSettings settings_;
  ShardDescription shard_;
  Source& source_;
  Target& target_;
  coordination::CheckpointStore& store_;
  DeadLetterDestination* dead_letters_;
  DeliveryCounters& counters_;
  ShardMetrics metrics_;

  std::thread thread_;
  std::atomic<ConsumerState> state_{ConsumerState::waiting_on_parents};
  std::atomic<bool> shutdown_requested_{false};
  std::atomic<bool> hard_stop_{false};
  std::atomic<bool> lease_lost_{false};
  std::atomic<bool> reset_pending_{false};
  std::atomic<bool> finished_shard_{false};
  std::atomic<bool> idle_{false};
  std::atomic<bool> held_elsewhere_{false};

  mutable std::mutex mutex_;  // guards lease_, last_activity_, fatal_, hand_over_to_
  std::optional<coordination::Lease> lease_;
  Clock::time_point last_activity_ = Clock::now();
  std::optional<Error> fatal_;
  std::string hand_over_to_;

  std::unique_ptr<ShardReader> reader_;
  std::unique_ptr<CheckpointTracker> tracker_;  // shared with the lanes; it locks itself
  BatchDelivery delivery_;  // the reader's, for records dead-lettered before delivery
  std::vector<std::unique_ptr<DeliveryLane>> lanes_;
  std::mutex checkpoint_mutex_;  // one checkpoint write at a time: the reader's or a lane's
  bool shard_end_seen_ = false;
  bool caught_up_ = false;
  Clock::time_point caught_up_since_{};
  Clock::time_point last_checkpoint_write_{};  // guarded by checkpoint_mutex_
};

}  // namespace shardpipe
