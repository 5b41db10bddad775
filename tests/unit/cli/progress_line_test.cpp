// The progress line of long commands: its numbers, its throttled redraws with a clock the test
// moves, and when it is on at all.
#include "cli/progress_line.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

namespace shardpipe::cli {
namespace {

using namespace std::chrono_literals;
using Clock = ProgressLine::Clock;

// A file the line writes to, read back whole.
class Capture {
 public:
  Capture() {
    char name[] = "/tmp/progress-line-XXXXXX";
    fd_ = ::mkstemp(name);
    ::unlink(name);
  }
  ~Capture() { ::close(fd_); }
  int fd() const { return fd_; }
  std::string text() const {
    std::string out;
    char buffer[4096];
    ssize_t n;
    off_t at = 0;
    while ((n = ::pread(fd_, buffer, sizeof buffer, at)) > 0) {
      out.append(buffer, static_cast<size_t>(n));
      at += n;
    }
    return out;
  }

 private:
  int fd_ = -1;
};

// A clock that moves only when the test says so.
struct FakeClock {
  Clock::time_point at{std::chrono::hours(1)};
  std::function<Clock::time_point()> function() {
    return [this] { return at; };
  }
};

ProgressLine::Options forced(int fd, FakeClock& clock) {
  return {.fd = fd, .mode = ProgressMode::always, .now = clock.function()};
}

size_t count_of(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

TEST(ProgressLine, FormatsDurationsCountsRatesAndSizes) {
  EXPECT_EQ(format_eta(std::nullopt), "--");
  EXPECT_EQ(format_eta(0), "0s");
  EXPECT_EQ(format_eta(45.4), "45s");
  EXPECT_EQ(format_eta(83), "1m23s");
  EXPECT_EQ(format_eta(3599), "59m59s");
  EXPECT_EQ(format_eta(7500), "2h05m");
  EXPECT_EQ(format_eta(3 * 86400 + 4 * 3600 + 59), "3d04h");
  EXPECT_EQ(format_eta(-1), "--");
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000), "1,000");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_rate(950), "950/s");
  EXPECT_EQ(format_rate(12345), "12.3k/s");
  EXPECT_EQ(format_rate(4560000), "4.56M/s");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(12595), "12.3 KiB");
  EXPECT_EQ(format_bytes(3u << 20), "3.0 MiB");
  EXPECT_EQ(format_bytes(1288490189), "1.2 GiB");
}

TEST(ProgressLine, ShowsPercentAndEtaOfAKnownTotal) {
  Capture out;
  FakeClock clock;
  ProgressLine line("replayed", "entries", forced(out.fd(), clock));
  clock.at += 1s;
  line.update({.done = 100, .total = 1000});
  EXPECT_EQ(line.render({.done = 100, .total = 1000}),
            "replayed 100 of 1,000 entries  10%  100/s  ETA 9s");
  EXPECT_EQ(line.render({.done = 1000, .total = 1000}),
            "replayed 1,000 of 1,000 entries  100%  100/s  ETA 0s");
}

TEST(ProgressLine, ShowsBytesOfAFileOfKnownSize) {
  Capture out;
  FakeClock clock;
  ProgressLine line("put", "records", forced(out.fd(), clock));
  clock.at += 2s;
  line.update({.done = 20000, .bytes = 2u << 20, .total_bytes = 10u << 20});
  EXPECT_EQ(line.render({.done = 20000, .bytes = 2u << 20, .total_bytes = 10u << 20}),
            "put 20,000 records  10.0k/s  2.0 MiB of 10.0 MiB  20%  ETA 8s");
  // Without a size (a pipe): the bytes so far, and no ETA.
  EXPECT_EQ(line.render({.done = 20000, .bytes = 2u << 20}),
            "put 20,000 records  10.0k/s  2.0 MiB");
}

TEST(ProgressLine, ShowsWhatIsLeftWithoutATotal) {
  Capture out;
  FakeClock clock;
  ProgressLine line("handled", "records", forced(out.fd(), clock));
  EXPECT_EQ(line.render({.done = 0, .left = 500}), "handled 0 records  --/s  500 left  ETA --");
  clock.at += 1s;
  line.update({.done = 5000, .left = 45000});
  EXPECT_EQ(line.render({.done = 5000, .left = 45000}),
            "handled 5,000 records  5.0k/s  45,000 left  ETA 9s");
}

TEST(ProgressLine, TheRateIsSmoothedOverTheLastFewSeconds) {
  Capture out;
  FakeClock clock;
  ProgressLine line(
      "handled", "records",
      {.fd = out.fd(), .mode = ProgressMode::always, .now = clock.function(), .rate_window = 2s});
  // 1000/s for ten seconds, then 100/s: the rate follows within the window, not the average.
  uint64_t done = 0;
  for (int i = 0; i < 40; ++i) {
    clock.at += 250ms;
    done += 250;
    line.update({.done = done});
  }
  ASSERT_TRUE(line.rate());
  EXPECT_NEAR(*line.rate(), 1000, 1);
  for (int i = 0; i < 12; ++i) {
    clock.at += 250ms;
    done += 25;
    line.update({.done = done});
  }
  EXPECT_NEAR(*line.rate(), 100, 1);
}

TEST(ProgressLine, RedrawsAtMostFourTimesASecondAndFinishClearsTheLine) {
  Capture out;
  FakeClock clock;
  ProgressLine line("put", "records", forced(out.fd(), clock));
  // Updates every millisecond for two seconds: the first one draws, then every 250 ms: 8 redraws,
  // not 2000.
  for (int i = 1; i <= 2000; ++i) {
    clock.at += 1ms;
    line.update({.done = static_cast<uint64_t>(i)});
  }
  EXPECT_EQ(line.redraws(), 8u);
  std::string text = out.text();
  EXPECT_EQ(count_of(text, "\r"), 8u) << text;
  EXPECT_EQ(count_of(text, "\033[K"), 8u) << text;
  EXPECT_TRUE(text.starts_with("\rput 1 record  1.0k/s\033[K\rput 251 records")) << text;
  line.finish();
  EXPECT_TRUE(out.text().ends_with("records  1.0k/s\033[K\r\033[K")) << out.text();
  // Nothing after finish, and finishing twice clears once.
  clock.at += 1s;
  line.update({.done = 5000});
  line.finish();
  EXPECT_EQ(count_of(out.text(), "\r\033[K"), 1u);
}

TEST(ProgressLine, WriteAboveClearsTheLineFirst) {
  Capture out;
  FakeClock clock;
  ProgressLine line("handled", "records", forced(out.fd(), clock));
  clock.at += 300ms;
  line.update({.done = 3});
  line.write_above([&] { ASSERT_EQ(::write(out.fd(), "log line\n", 9), 9); });
  EXPECT_TRUE(out.text().ends_with("\033[K\r\033[Klog line\n")) << out.text();
  // Nothing shown now: finish has nothing to clear.
  line.finish();
  EXPECT_TRUE(out.text().ends_with("log line\n"));
}

TEST(ProgressLine, OnlyOnATerminalUnlessForced) {
  Capture out;  // a file, not a terminal
  FakeClock clock;
  ::unsetenv("SHARDPIPE_PROGRESS");
  {
    ProgressLine line("put", "records", {.fd = out.fd(), .now = clock.function()});
    EXPECT_FALSE(line.enabled());
    clock.at += 1s;
    line.update({.done = 1});
    line.finish();
  }
  EXPECT_EQ(out.text(), "");
  ::setenv("SHARDPIPE_PROGRESS", "always", 1);
  EXPECT_TRUE(ProgressLine("put", "records", {.fd = out.fd()}).enabled());
  EXPECT_FALSE(
      ProgressLine("put", "records", {.fd = out.fd(), .mode = ProgressMode::never}).enabled());
  ::setenv("SHARDPIPE_PROGRESS", "never", 1);
  EXPECT_FALSE(ProgressLine("put", "records", {.fd = out.fd()}).enabled());
  ::setenv("SHARDPIPE_PROGRESS", "sometimes", 1);
  EXPECT_EQ(progress_mode_from_environment(), ProgressMode::automatic);
  ::unsetenv("SHARDPIPE_PROGRESS");
}

}  // namespace
}  // namespace shardpipe::cli
