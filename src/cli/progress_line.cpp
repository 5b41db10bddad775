#include "cli/progress_line.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace shardpipe::cli {

ProgressMode progress_mode_from_environment() {
  const char* value = std::getenv("SHARDPIPE_PROGRESS");
  std::string_view mode = value ? value : "";
  if (mode == "always") return ProgressMode::always;
  if (mode == "never") return ProgressMode::never;
  return ProgressMode::automatic;
}

std::string format_eta(std::optional<double> seconds) {
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0) return "--";
  auto total = static_cast<uint64_t>(std::llround(*seconds));
  if (total < 60) return fmt::format("{}s", total);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  if (total < 86400) return fmt::format("{}h{:02}m", total / 3600, total % 3600 / 60);
  if (total / 86400 > 99) return ">99d";
  return fmt::format("{}d{:02}h", total / 86400, total % 86400 / 3600);
}

std::string format_count(uint64_t count) {
  std::string digits = std::to_string(count);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string format_rate(double per_second) {
  if (!std::isfinite(per_second) || per_second < 0) return "--/s";
  if (per_second < 1000) return fmt::format("{:.0f}/s", per_second);
  if (per_second < 1e6) return fmt::format("{:.1f}k/s", per_second / 1e3);
  return fmt::format("{:.2f}M/s", per_second / 1e6);
}

std::string format_bytes(uint64_t bytes) {
  static constexpr const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, units[unit]);
}

ProgressLine::ProgressLine(std::string verb, std::string unit, Options options)
    : verb_(std::move(verb)), unit_(std::move(unit)), options_(std::move(options)) {
  auto mode = options_.mode.value_or(progress_mode_from_environment());
  bool terminal = ::isatty(options_.fd) == 1;
  enabled_ = mode == ProgressMode::always || (mode == ProgressMode::automatic && terminal);
  if (enabled_ && terminal) {
    winsize size{};
    if (::ioctl(options_.fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 1) width_ = size.ws_col - 1;
  }
  last_draw_ = now();
  samples_.push_back({last_draw_, 0, 0});
}

ProgressLine::ProgressLine(std::string verb, std::string unit)
    : ProgressLine(std::move(verb), std::move(unit), Options{}) {}

ProgressLine::~ProgressLine() {
  finish();
}

void ProgressLine::update(const ProgressCounts& counts) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  if (finished_) return;
  auto at = now();
  if (redraws_ > 0 && at - last_draw_ < options_.redraw_every) return;
  sample(at, counts);
  last_draw_ = at;
  draw_locked(counts);
}

void ProgressLine::finish() {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  clear_locked();
  finished_ = true;
}

void ProgressLine::write_above(const std::function<void()>& write) {
  if (!enabled_) {
    write();
    return;
  }
  std::lock_guard lock(mutex_);
  clear_locked();
  write();
}

void ProgressLine::sample(Clock::time_point at, const ProgressCounts& counts) {
  samples_.push_back({at, counts.done, counts.bytes.value_or(0)});
  // Keep one sample at or before the window's start, so the rate spans the whole window.
  while (samples_.size() > 2 && samples_[1].at <= at - options_.rate_window) samples_.pop_front();
}

namespace {

template <typename Field>
std::optional<double> per_second(const auto& samples, Field field) {
  if (samples.size() < 2) return std::nullopt;
  const auto& first = samples.front();
  const auto& last = samples.back();
  double seconds = std::chrono::duration<double>(last.at - first.at).count();
  if (seconds <= 0) return std::nullopt;
  double from = static_cast<double>(field(first));
  double to = static_cast<double>(field(last));
  return to >= from ? (to - from) / seconds : 0.0;
}

}  // namespace

std::optional<double> ProgressLine::rate() const {
  return per_second(samples_, [](const Sample& s) { return s.done; });
}

std::optional<double> ProgressLine::byte_rate() const {
  return per_second(samples_, [](const Sample& s) { return s.bytes; });
}

std::string ProgressLine::render(const ProgressCounts& counts) const {
  auto units_per_second = rate();
  std::vector<std::string> parts;
  std::optional<double> eta;
  if (counts.total) {
    uint64_t total = *counts.total;
    parts.push_back(fmt::format("{} {} of {} {}", verb_, format_count(counts.done),
                                format_count(total), unit_));
    double percent = total == 0 ? 100.0 : 100.0 * static_cast<double>(counts.done) / total;
    parts.push_back(fmt::format("{:.0f}%", std::min(percent, 100.0)));
    if (units_per_second && *units_per_second > 0) {
      eta = static_cast<double>(total > counts.done ? total - counts.done : 0) / *units_per_second;
    }
  } else {
    std::string_view unit = unit_;
    if (counts.done == 1 && unit.ends_with('s')) unit.remove_suffix(1);
    parts.push_back(fmt::format("{} {} {}", verb_, format_count(counts.done), unit));
  }
  parts.push_back(units_per_second ? format_rate(*units_per_second) : "--/s");
  if (counts.bytes) {
    if (counts.total_bytes && !counts.total) {
      uint64_t total = *counts.total_bytes;
      uint64_t bytes = std::min(*counts.bytes, total);
      parts.push_back(fmt::format("{} of {}", format_bytes(bytes), format_bytes(total)));
      double percent = total == 0 ? 100.0 : 100.0 * static_cast<double>(bytes) / total;
      parts.push_back(fmt::format("{:.0f}%", percent));
      if (auto bytes_per_second = byte_rate(); bytes_per_second && *bytes_per_second > 0) {
        eta = static_cast<double>(total - bytes) / *bytes_per_second;
      }
    } else {
      parts.push_back(format_bytes(*counts.bytes));
    }
  }
  if (counts.left && !counts.total) {
    parts.push_back(fmt::format("{} left", format_count(*counts.left)));
    if (units_per_second && *units_per_second > 0) {
      eta = static_cast<double>(*counts.left) / *units_per_second;
    } else if (*counts.left == 0) {
      eta = 0;
    }
  }
  if (counts.total || counts.left || counts.total_bytes) {
    parts.push_back("ETA " + format_eta(eta));
  }
  return fmt::format("{}", fmt::join(parts, "  "));
}

void ProgressLine::draw_locked(const ProgressCounts& counts) {
  std::string text = render(counts);
  if (width_ > 0 && text.size() > width_) text.resize(width_);
  write_all("\r" + text + "\033[K");
  shown_ = true;
  ++redraws_;
}

void ProgressLine::clear_locked() {
  if (!shown_) return;
  write_all("\r\033[K");
  shown_ = false;
}

void ProgressLine::write_all(std::string_view text) const {
  while (!text.empty()) {
    ssize_t n = ::write(options_.fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a progress line is not worth failing for
    text.remove_prefix(static_cast<size_t>(n));
  }
}

namespace {

// Forwards to the sink it wraps, with the progress line cleared around each log line.
class ProgressAwareSink final : public spdlog::sinks::sink {
 public:
  ProgressAwareSink(std::shared_ptr<spdlog::sinks::sink> inner, ProgressLine& line)
      : inner_(std::move(inner)), line_(line) {
    set_level(inner_->level());
  }
  void log(const spdlog::details::log_msg& message) override {
    line_.write_above([&] {
      inner_->log(message);
      inner_->flush();
    });
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
  ProgressLine& line_;
};

}  // namespace

struct ProgressAwareLogging::Saved {
  std::shared_ptr<spdlog::logger> logger;
  std::vector<spdlog::sink_ptr> sinks;
};

ProgressAwareLogging::ProgressAwareLogging(std::shared_ptr<spdlog::logger> logger,
                                           ProgressLine& line) {
  if (!logger || !line.enabled()) return;
  saved_ = std::make_unique<Saved>(Saved{logger, logger->sinks()});
  for (auto& sink : logger->sinks()) sink = std::make_shared<ProgressAwareSink>(sink, line);
}

ProgressAwareLogging::~ProgressAwareLogging() {
  if (saved_) saved_->logger->sinks() = saved_->sinks;
}

}  // namespace shardpipe::cli
