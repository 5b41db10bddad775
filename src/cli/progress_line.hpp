// A one-line progress display for long commands (`log put`, `dlq replay`, `run --stop-when-idle`):
// redrawn in place on a terminal, silent otherwise.
//
// Enabled when its output is a terminal, unless SHARDPIPE_PROGRESS says otherwise:
// `always` (draw even into a pipe or file), `never`, or `auto` (the default). It draws at the
// first update, then at most every `redraw_every` (250 ms), with "\r", the text and
// erase-to-end-of-line; finish() erases it. The rate is smoothed over the last few seconds.
// Callers pass their counters with update() as often as they like (per chunk or batch, not per
// record): between redraws an update only reads the clock.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace shardpipe::cli {

enum class ProgressMode { automatic, always, never };

// SHARDPIPE_PROGRESS: always | never | auto; anything else (or unset) is auto.
ProgressMode progress_mode_from_environment();

// What the line shows. `done` counts the command's unit (records, entries); the rate is of it.
struct ProgressCounts {
  uint64_t done = 0;
  std::optional<uint64_t> total;        // "done of total", percent and ETA
  std::optional<uint64_t> left;         // units still to go, when there is no total: ETA
  std::optional<uint64_t> bytes;        // bytes handled so far
  std::optional<uint64_t> total_bytes;  // percent and ETA by bytes, when there is no total
};

// 1m23s, 45s, 2h05m, 3d04h; "--" when unknown.
std::string format_eta(std::optional<double> seconds);
// 1,234,567
std::string format_count(uint64_t count);
// 950/s, 12.3k/s, 4.56M/s
std::string format_rate(double per_second);
// 512 B, 12.3 KiB, 4.5 MiB, 1.2 GiB
std::string format_bytes(uint64_t bytes);

class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    int fd = STDERR_FILENO;
    std::optional<ProgressMode> mode;        // nullopt: from SHARDPIPE_PROGRESS
    std::function<Clock::time_point()> now;  // empty: the steady clock (tests inject one)
    std::chrono::milliseconds redraw_every{250};
    std::chrono::milliseconds rate_window{3000};  // the rate is averaged over this long
  };

  // `verb` and `unit` name what is counted: "put" "records" -> "put 1,234 records ...".
  ProgressLine(std::string verb, std::string unit, Options options);
  ProgressLine(std::string verb, std::string unit);
  ~ProgressLine();  // finish()
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool enabled() const { return enabled_; }

  // Takes the latest counters; redraws when enabled and the last redraw is old enough.
  void update(const ProgressCounts& counts);
  // Clears the line (if one is shown) and stops drawing.
  void finish();

  // Runs `write` (which writes whole lines to the same terminal) with the line cleared first, so
  // its text does not mix with the line; the next update draws the line again below it.
  void write_above(const std::function<void()>& write);

  // The text of the line for `counts` at the current smoothed rate (no escape codes).
  std::string render(const ProgressCounts& counts) const;
  // Units (and bytes) per second over the rate window; nullopt until two samples exist.
  std::optional<double> rate() const;
  std::optional<double> byte_rate() const;
  // How many times the line was drawn (for tests).
  uint64_t redraws() const { return redraws_; }

 private:
  struct Sample {
    Clock::time_point at;
    uint64_t done;
    uint64_t bytes;
  };
  Clock::time_point now() const { return options_.now ? options_.now() : Clock::now(); }
  void sample(Clock::time_point at, const ProgressCounts& counts);
  void draw_locked(const ProgressCounts& counts);
  void clear_locked();
  void write_all(std::string_view text) const;

  std::string verb_;
  std::string unit_;
  Options options_;
  bool enabled_ = false;
  bool finished_ = false;
  bool shown_ = false;  // a line is on the screen
  size_t width_ = 0;    // terminal columns; 0 when unknown
  Clock::time_point last_draw_;
  std::deque<Sample> samples_;
  uint64_t redraws_ = 0;
  std::mutex mutex_;
};

// While alive, every log line of `logger` clears `line` before it is written (write_above), so
// log lines and the progress line do not run into each other. Restores the logger's sinks after.
class ProgressAwareLogging {
 public:
  ProgressAwareLogging(std::shared_ptr<spdlog::logger> logger, ProgressLine& line);
  ~ProgressAwareLogging();
  ProgressAwareLogging(const ProgressAwareLogging&) = delete;
  ProgressAwareLogging& operator=(const ProgressAwareLogging&) = delete;

 private:
  struct Saved;
  std::unique_ptr<Saved> saved_;
};

}  // namespace shardpipe::cli
