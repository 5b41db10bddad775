// When a record processor that crashed, hung or went out of step may be started again: 100 ms
// after the previous start, then 200 ms, 400 ms, ... at most 30 s; back to 100 ms once a batch
// succeeds. A processor that fails at once is not restarted in a tight loop, and one that failed
// long ago is restarted without waiting.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>

namespace shardpipe {

class RestartSchedule {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RestartSchedule(std::chrono::milliseconds initial = std::chrono::milliseconds(100),
                           std::chrono::milliseconds max = std::chrono::seconds(30))
      : initial_(initial), max_(max) {}

  // The earliest moment the next start may happen (the past, for the first start).
  Clock::time_point next_start() const {
    if (!last_start_) return Clock::time_point::min();
    return *last_start_ + delay(restarts_ + 1);
  }
  void started(Clock::time_point now) {
    if (last_start_) ++restarts_;
    last_start_ = now;
  }
  void succeeded() { restarts_ = 0; }

  // The wait before the n-th restart since the last success (n >= 1).
  std::chrono::milliseconds delay(int n) const {
    auto wait = initial_;
    for (int i = 1; i < n && wait < max_; ++i) wait *= 2;
    return std::min(wait, max_);
  }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::optional<Clock::time_point> last_start_;
  int restarts_ = 0;
};

}  // namespace shardpipe
