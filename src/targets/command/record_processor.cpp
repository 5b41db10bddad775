#include "targets/command/record_processor.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "core/units.hpp"
#include "targets/command/processor_protocol.hpp"

namespace shardpipe {
namespace {

namespace protocol = processor_protocol;

// The least time the reply to initialize may take: it includes the start of an interpreter or a
// virtual machine, which takes seconds on a busy host, while `timeout` is meant for batches.
constexpr std::chrono::milliseconds startup_allowance = std::chrono::seconds(15);

}  // namespace

std::string RecordProcessor::name() const {
  return fmt::format("the {} [{}] of shard {}{}", settings_->role, fmt::join(settings_->argv, ", "),
                     shard_id_, process_ ? fmt::format(" (pid {})", process_->pid()) : "");
}

bool RecordProcessor::ready() const {
  return process_ && process_->state() == ChildProcess::State::ready;
}

Status RecordProcessor::ensure_running() {
  if (!process_) return start();
  auto state = process_->state();
  if (state == ChildProcess::State::ready) return {};
  std::string who = name();
  std::string stray = protocol::excerpt(process_->unread());
  std::string ended = stop(exit_grace);
  if (state == ChildProcess::State::stray_output) {
    spdlog::warn("shard {}: {} wrote {} when no reply was due; it {}, restarting it", shard_id_,
                 who, stray, ended);
  } else {
    spdlog::warn("shard {}: {} {} between batches; restarting it", shard_id_, who, ended);
  }
  return start();
}

Status RecordProcessor::start() {
  std::this_thread::sleep_until(restarts_.next_start());
  auto child = ChildProcess::start({.argv = settings_->argv,
                                    .working_dir = settings_->working_dir,
                                    .environment = {"SHARDPIPE_SHARD_ID=" + shard_id_}});
  restarts_.started(Clock::now());
  if (!child) {
    auto error = child.error();
    error.message = fmt::format("{} of shard {}: {}", settings_->role, shard_id_, error.message);
    return fail(std::move(error));
  }
  process_ = std::move(*child);
  spdlog::info("shard {}: {} started (pid {})", shard_id_, settings_->role, process_->pid());
  if (auto reply = exchange(protocol::initialize_message(shard_id_), protocol::initialize,
                            std::max(settings_->timeout, startup_allowance));
      !reply) {
    return fail(reply.error());
  }
  return {};
}

Result<std::string> RecordProcessor::exchange(std::string_view message, std::string_view action) {
  return exchange(message, action, settings_->timeout);
}

Result<std::string> RecordProcessor::exchange(std::string_view message, std::string_view action,
                                              std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string who = name();
  auto written = process_->write(message, deadline);
  auto line = written ? process_->read_line(deadline)
                      : ChildIo<std::string>(std::unexpected(written.error()));
  if (!line) return fail(lost(line.error(), action, who, timeout));
  if (auto checked = protocol::check_status_reply(*line, action); !checked) {
    stop(std::chrono::seconds(0));
    return fail(Error::retriable(
        fmt::format("{}; {} was killed and will be restarted", checked.error().message, who)));
  }
  return std::move(*line);
}

Error RecordProcessor::lost(const ChildIoError& error, std::string_view action,
                            const std::string& who, std::chrono::milliseconds timeout) {
  if (error.kind == ChildIoError::Kind::timed_out) {
    stop(std::chrono::seconds(0));
    return Error::retriable(
        fmt::format("no reply within {} to {} from {}; it was killed and will be restarted",
                    format_duration(timeout), action, who));
  }
  if (error.kind == ChildIoError::Kind::closed) {
    // Most likely it is exiting: give it a moment, to report how it ended.
    std::string ended = stop(exit_grace);
    return Error::retriable(
        fmt::format("{} {} during {}; it will be restarted", who, ended, action));
  }
  stop(std::chrono::seconds(0));
  return Error::retriable(fmt::format(
      "talking to {} failed ({}); it was killed and will be restarted", who, error.detail));
}

std::string RecordProcessor::stop(Clock::duration grace) {
  if (!process_) return "was not running";
  pid_t pid = process_->pid();
  std::string ended = process_->stop(Clock::now() + grace);
  process_.reset();
  spdlog::debug("shard {}: {} (pid {}) {}", shard_id_, settings_->role, pid, ended);
  return ended;
}

}  // namespace shardpipe
