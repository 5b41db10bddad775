// One lane of a shard's delivery: the records of some partition keys, batched and delivered in
// order by a thread of its own. A shard has parallelization_factor lanes, so that many of its
// batches are in flight at once while every key keeps its order: a key always maps to the same
// lane, and a lane delivers one batch at a time. Each lane has its own sink, as each concurrent
// invocation of a function has its own connection.
//
// The shard's reader pushes records in shard order; the lane reports what it handled through
// its BatchDelivery's hooks and through `flushed`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/batch_delivery.hpp"
#include "pipeline/batcher.hpp"
#include "targets/target.hpp"

namespace shardpipe {

class DeliveryLane {
 public:
  using Clock = std::chrono::steady_clock;
  using Wait = std::function<bool(std::chrono::milliseconds)>;
  // Builds the lane's delivery around the lane's own wait, which a stop interrupts.
  using MakeDelivery = std::function<BatchDelivery(Wait wait)>;

  struct Settings {
    std::string name;  // for logs: the shard, and the lane when there are several
    size_t batch_size = 100;
    size_t max_batch_bytes = 6u << 20;
    std::chrono::milliseconds batching_window{0};
    std::chrono::milliseconds backoff_initial{100};  // for retries of a failed flush
    std::chrono::milliseconds backoff_max{30000};
  };
  struct Hooks {
    std::function<bool()> keep_going;                     // false: the shard stops now
    std::function<void(const DeliveryOutcome&)> flushed;  // a flush delivered these records
    std::function<void()> unit_closed_early;              // a flush closed a partial unit
    std::function<void(Error)> fatal;                     // a flush failed for good
    std::function<void(double seconds)> batch_delivered_in;
  };

  DeliveryLane(Settings settings, std::unique_ptr<ShardSink> sink, const MakeDelivery& make,
               Hooks hooks);
  ~DeliveryLane();
  DeliveryLane(const DeliveryLane&) = delete;
  DeliveryLane& operator=(const DeliveryLane&) = delete;

  void push(std::vector<Record> records);
  // If the lane has nothing left to send, closes the sink's open unit so that its records count
  // as handled: asked by the shard when it is caught up (idle) or its reading is capped.
  void request_flush();
  // Delivers and flushes everything pushed so far; false when the lane stopped first.
  bool drain();
  // Stops the thread; what is in flight is abandoned (never reported handled). Returns the sink,
  // to be closed by the shard.
  std::unique_ptr<ShardSink> stop();
  // Stopped by itself: its shard is stopping, or a delivery failed fatally.
  bool halted() const;

 private:
  void run();
  // Delivers ready batches (all of them when `everything`), then flushes the sink when asked or
  // when draining. False: told to stop.
  bool work(bool everything, bool flush_asked, Clock::time_point now);
  bool flush_sink();
  bool wait(std::chrono::milliseconds duration);
  Clock::time_point wake_at(Clock::time_point now) const;

  Settings settings_;
  std::unique_ptr<ShardSink> sink_;
  Hooks hooks_;
  std::optional<BatchDelivery> delivery_;
  Batcher batcher_;  // the lane thread's alone

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Record> inbox_;
  bool flush_requested_ = false;
  bool drain_requested_ = false;
  bool stop_requested_ = false;
  bool halted_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace shardpipe
