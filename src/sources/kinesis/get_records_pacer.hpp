// When a shard reader may call GetRecords next. Kinesis allows 5 calls per second per shard,
// shared by every consumer of the shard; an empty page at the tip of the shard makes the next
// calls wait longer (up to a second, as the KCL's idle time between reads), so that a quiet
// stream is not polled five times a second per shard.
#pragma once

#include <algorithm>
#include <chrono>

namespace shardpipe::kinesis {

class GetRecordsPacer {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds busy_interval{200};
  static constexpr std::chrono::milliseconds idle_interval_max{1000};

  bool may_call(Clock::time_point now) const { return now >= next_call_; }

  // After a call: `caught_up` when the page was empty and the shard's tip was reached.
  void called(Clock::time_point now, bool caught_up) {
    interval_ = caught_up ? std::min<std::chrono::milliseconds>(interval_ * 2, idle_interval_max)
                          : busy_interval;
    next_call_ = now + interval_;
  }

 private:
  Clock::time_point next_call_{};
  std::chrono::milliseconds interval_ = busy_interval;
};

}  // namespace shardpipe::kinesis
