// Exponential backoff with full jitter above a floor: the n-th wait is uniform in
// [initial, c], c = min(max, initial * 2^n). The jitter spreads retries of many shards apart;
// the floor keeps the first retry from hammering a target that just failed.
#pragma once

#include <algorithm>
#include <chrono>
#include <random>

namespace shardpipe {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
      : initial_(std::max<std::chrono::milliseconds::rep>(initial.count(), 1)),
        max_(std::max(max.count(), initial_)) {}

  std::chrono::milliseconds next() {
    auto ceiling = initial_;
    for (int i = 0; i < attempt_ && ceiling < max_; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, max_);
    ++attempt_;
    std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(initial_, ceiling);
    // Seeded on the first wait only: most backoffs (one per batch) never wait, and seeding
    // from the system's entropy costs more than delivering a small batch.
    if (!seeded_) {
      random_.seed(std::random_device{}());
      seeded_ = true;
    }
    return std::chrono::milliseconds(pick(random_));
  }
  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  std::chrono::milliseconds::rep initial_;
  std::chrono::milliseconds::rep max_;
  int attempt_ = 0;
  bool seeded_ = false;
  std::mt19937_64 random_;
};

}  // namespace shardpipe
