// Exponential backoff with jitter: the n-th wait is uniform in [c/2, c], c = min(max, initial *
// 2^n), which spreads retries of many shards apart while keeping a floor under each wait.
#pragma once

#include <algorithm>
#include <chrono>
#include <random>

namespace shardpipe {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
      : initial_(std::max<std::chrono::milliseconds::rep>(initial.count(), 1)),
        max_(std::max(max.count(), initial_)),
        random_(std::random_device{}()) {}

  std::chrono::milliseconds next() {
    auto ceiling = initial_;
    for (int i = 0; i < attempt_ && ceiling < max_; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, max_);
    ++attempt_;
    std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(ceiling / 2, ceiling);
    return std::chrono::milliseconds(pick(random_));
  }
  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  std::chrono::milliseconds::rep initial_;
  std::chrono::milliseconds::rep max_;
  int attempt_ = 0;
  std::mt19937_64 random_;
};

}  // namespace shardpipe
