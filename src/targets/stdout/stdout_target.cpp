#include "targets/stdout/stdout_target.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace shardpipe {
namespace {

// Shards write whole batches under one lock so lines of different shards never interleave.
std::mutex stdout_mutex;

Status write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Error::retriable(fmt::format("writing to stdout: {}", std::strerror(errno))));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

class StdoutSink final : public ShardSink {
 public:
  DeliveryOutcome deliver(std::span<const Record> batch) override {
    std::string text;
    for (const auto& record : batch) {
      text.append(record.envelope);
      text.push_back('\n');
    }
    std::lock_guard lock(stdout_mutex);
    if (auto written = write_all(STDOUT_FILENO, text); !written) {
      return DeliveryOutcome::failed(written.error());
    }
    DeliveryOutcome outcome;
    outcome.accepted = batch.size();
    for (const auto& record : batch) outcome.delivered.push_back(record.ordinal);
    return outcome;
  }
  DeliveryOutcome flush() override { return {}; }
  size_t pending() const override { return 0; }
};

class StdoutTarget final : public Target {
 public:
  Result<std::unique_ptr<ShardSink>> open_shard(const std::string&) override {
    return std::make_unique<StdoutSink>();
  }
};

}  // namespace

std::unique_ptr<Target> make_stdout_target() {
  return std::make_unique<StdoutTarget>();
}

}  // namespace shardpipe
