#include "pipeline/delivery_lane.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/backoff.hpp"

namespace shardpipe {

using namespace std::chrono_literals;

namespace {

// How often a waiting lane looks at its shard's stop flags.
constexpr auto stop_check_interval = 20ms;
// How long a lane sleeps when nothing can wake it sooner.
constexpr auto quiet_wait = 1s;

}  // namespace

DeliveryLane::DeliveryLane(Settings settings, std::unique_ptr<ShardSink> sink,
                           const MakeDelivery& make, Hooks hooks)
    : settings_(std::move(settings)),
      sink_(std::move(sink)),
      hooks_(std::move(hooks)),
      batcher_(settings_.batch_size, settings_.max_batch_bytes, settings_.batching_window) {
  delivery_.emplace(make([this](std::chrono::milliseconds duration) { return wait(duration); }));
  thread_ = std::thread([this] { run(); });
}

DeliveryLane::~DeliveryLane() {
  stop();
}

void DeliveryLane::push(std::vector<Record> records) {
  if (records.empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (inbox_.empty()) {
      inbox_ = std::move(records);
    } else {
      inbox_.insert(inbox_.end(), std::make_move_iterator(records.begin()),
                    std::make_move_iterator(records.end()));
    }
  }
  changed_.notify_all();
}

void DeliveryLane::request_flush() {
  {
    std::lock_guard lock(mutex_);
    flush_requested_ = true;
  }
  changed_.notify_all();
}

bool DeliveryLane::drain() {
  std::unique_lock lock(mutex_);
  if (halted_ || stop_requested_) return false;
  drain_requested_ = true;
  changed_.notify_all();
  changed_.wait(lock, [this] { return !drain_requested_ || halted_; });
  return !halted_;
}

std::unique_ptr<ShardSink> DeliveryLane::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  return std::move(sink_);
}

bool DeliveryLane::halted() const {
  std::lock_guard lock(mutex_);
  return halted_;
}

void DeliveryLane::run() {
  std::unique_lock lock(mutex_);
  while (!stop_requested_) {
    std::vector<Record> incoming = std::exchange(inbox_, {});
    const bool draining = drain_requested_;
    // A request made before these records arrived is stale: the shard was able to read again,
    // so it is not stuck, and closing the unit now would only make a smaller file. A shard that
    // is still stuck asks again.
    const bool flush_asked = std::exchange(flush_requested_, false) && incoming.empty();
    lock.unlock();

    auto now = Clock::now();
    for (auto& record : incoming) batcher_.add(std::move(record), now);
    bool working = work(draining, flush_asked, now);

    lock.lock();
    if (!working) {
      halted_ = true;
      changed_.notify_all();
      return;
    }
    if (draining && inbox_.empty()) {
      drain_requested_ = false;
      changed_.notify_all();
    }
    changed_.wait_until(lock, wake_at(Clock::now()), [this] {
      return stop_requested_ || !inbox_.empty() || flush_requested_ || drain_requested_;
    });
  }
  halted_ = true;  // a drain waiting on a stopped lane must not wait forever
  changed_.notify_all();
}

bool DeliveryLane::work(bool everything, bool flush_asked, Clock::time_point now) {
  while (auto batch = everything ? batcher_.pop_any() : batcher_.pop_ready(now)) {
    if (!hooks_.keep_going()) return false;  // lease lost: nothing more may be delivered
    auto started = Clock::now();
    bool delivered = delivery_->deliver(*sink_, *batch);
    hooks_.batch_delivered_in(std::chrono::duration<double>(Clock::now() - started).count());
    if (!delivered) return false;
  }
  if (sink_->pending() == 0 || !batcher_.empty()) return true;
  if (everything || flush_asked) return flush_sink();
  return true;
}

bool DeliveryLane::flush_sink() {
  Backoff backoff(settings_.backoff_initial, settings_.backoff_max);
  while (sink_->pending() > 0) {
    DeliveryOutcome outcome = sink_->flush();
    hooks_.flushed(outcome);
    if (!outcome.error) {
      if (outcome.checkpoint_now) hooks_.unit_closed_early();
      return true;
    }
    // A target that refuses for good (a bucket gone, access denied) would refuse every retry.
    if (outcome.error->kind == ErrorClass::fatal) {
      hooks_.fatal(*outcome.error);
      return false;
    }
    auto delay = backoff.next();
    spdlog::warn("shard {}: flushing the target failed (attempt {}), retrying in {} ms: {}",
                 settings_.name, backoff.attempts(), delay.count(), outcome.error->message);
    if (!wait(delay)) return false;
  }
  return true;
}

bool DeliveryLane::wait(std::chrono::milliseconds duration) {
  auto until = Clock::now() + duration;
  std::unique_lock lock(mutex_);
  while (true) {
    if (stop_requested_ || !hooks_.keep_going()) return false;
    auto now = Clock::now();
    if (now >= until) return true;
    changed_.wait_until(lock, std::min<Clock::time_point>(until, now + stop_check_interval));
  }
}

DeliveryLane::Clock::time_point DeliveryLane::wake_at(Clock::time_point now) const {
  auto wake = now + quiet_wait;
  if (auto deadline = batcher_.deadline()) wake = std::min(wake, *deadline);
  return std::max(wake, now + 1ms);
}

}  // namespace shardpipe
