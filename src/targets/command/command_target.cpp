#include "targets/command/command_target.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "core/units.hpp"
#include "targets/command/child_process.hpp"
#include "targets/command/processor_protocol.hpp"
#include "targets/command/restart_schedule.hpp"

namespace shardpipe {
namespace {

namespace protocol = processor_protocol;
using Clock = std::chrono::steady_clock;

// How long a processor has to exit once its input is closed, before its group is killed.
constexpr auto exit_grace = std::chrono::seconds(2);

// The least time the reply to initialize may take: it includes the start of an interpreter or a
// virtual machine, which takes seconds on a busy host, while `timeout` is meant for batches.
constexpr std::chrono::milliseconds startup_allowance = std::chrono::seconds(15);

struct CommandSettings {
  std::vector<std::string> argv;
  std::filesystem::path working_dir;
  std::chrono::milliseconds timeout;
};

class CommandSink final : public ShardSink {
 public:
  CommandSink(std::shared_ptr<const CommandSettings> settings, std::string shard_id)
      : settings_(std::move(settings)), shard_id_(std::move(shard_id)) {}
  ~CommandSink() override { stop_processor(exit_grace); }
  CommandSink(const CommandSink&) = delete;
  CommandSink& operator=(const CommandSink&) = delete;

  // Starts and initializes the first processor.
  Status start() { return start_processor(); }

  DeliveryOutcome deliver(std::span<const Record> batch) override {
    DeliveryOutcome outcome;
    if (batch.empty()) return outcome;
    if (closed_) {
      return DeliveryOutcome::failed(Error::fatal(
          fmt::format("shard {}: a batch was offered to a closed command sink", shard_id_)));
    }
    if (auto running = ensure_running(); !running) return DeliveryOutcome::failed(running.error());
    auto reply = exchange(protocol::process_records_message(batch), protocol::process_records);
    if (!reply) return DeliveryOutcome::failed(reply.error());
    auto failures = protocol::failed_records(*reply, batch);
    if (!failures) return DeliveryOutcome::failed(failures.error());
    restarts_.succeeded();
    std::vector<bool> failed(batch.size(), false);
    for (const auto& failure : *failures) failed[failure.index] = true;
    outcome.accepted = batch.size();
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!failed[i]) outcome.delivered.push_back(batch[i].ordinal);
    }
    outcome.failed_items = std::move(*failures);
    return outcome;
  }

  DeliveryOutcome flush() override { return {}; }
  size_t pending() const override { return 0; }

  Status close(CloseReason reason) override {
    if (closed_) return {};
    auto action = protocol::close_action(reason);
    if (reason == CloseReason::shard_end) {
      // The processor must acknowledge the end of its shard before the SHARD_END checkpoint.
      if (auto running = ensure_running(); !running) return running;
      if (auto reply = exchange(protocol::action_message(action), action); !reply) {
        return fail(reply.error());
      }
    } else if (process_ && process_->state() == ChildProcess::State::ready) {
      // Best effort: the shard goes on elsewhere (lease lost) or later (shutdown) anyway.
      if (auto reply = exchange(protocol::action_message(action), action); !reply) {
        spdlog::info("shard {}: {}", shard_id_, reply.error().message);
      }
    }
    closed_ = true;
    stop_processor(exit_grace);
    return {};
  }

 private:
  // "the record processor [node, ./processor.js] of shard shardId-000000000000 (pid 42)"
  std::string name() const {
    return fmt::format("the record processor [{}] of shard {}{}", fmt::join(settings_->argv, ", "),
                       shard_id_, process_ ? fmt::format(" (pid {})", process_->pid()) : "");
  }

  // Restarts the processor when it is gone or out of step since the last exchange.
  Status ensure_running() {
    if (!process_) return start_processor();
    auto state = process_->state();
    if (state == ChildProcess::State::ready) return {};
    std::string who = name();
    std::string stray = protocol::excerpt(process_->unread());
    std::string ended = stop_processor(exit_grace);
    if (state == ChildProcess::State::stray_output) {
      spdlog::warn("shard {}: {} wrote {} when no reply was due; it {}, restarting it", shard_id_,
                   who, stray, ended);
    } else {
      spdlog::warn("shard {}: {} {} between batches; restarting it", shard_id_, who, ended);
    }
    return start_processor();
  }

  Status start_processor() {
    std::this_thread::sleep_until(restarts_.next_start());
    auto child = ChildProcess::start({.argv = settings_->argv,
                                      .working_dir = settings_->working_dir,
                                      .environment = {"SHARDPIPE_SHARD_ID=" + shard_id_}});
    restarts_.started(Clock::now());
    if (!child) {
      auto error = child.error();
      error.message = fmt::format("record processor of shard {}: {}", shard_id_, error.message);
      return fail(std::move(error));
    }
    process_ = std::move(*child);
    spdlog::info("shard {}: record processor started (pid {})", shard_id_, process_->pid());
    if (auto reply = exchange(protocol::initialize_message(shard_id_), protocol::initialize,
                              std::max(settings_->timeout, startup_allowance));
        !reply) {
      return fail(reply.error());
    }
    return {};
  }

  // Sends one message and reads its reply. On any failure the processor is ended, so that the
  // next delivery starts a fresh one in step with us.
  Result<std::string> exchange(std::string_view message, std::string_view action) {
    return exchange(message, action, settings_->timeout);
  }
  Result<std::string> exchange(std::string_view message, std::string_view action,
                               std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    std::string who = name();
    auto written = process_->write(message, deadline);
    auto line = written ? process_->read_line(deadline)
                        : ChildIo<std::string>(std::unexpected(written.error()));
    if (!line) return fail(lost_processor(line.error(), action, who, timeout));
    if (auto checked = protocol::check_status_reply(*line, action); !checked) {
      stop_processor(std::chrono::seconds(0));
      return fail(Error::retriable(
          fmt::format("{}; {} was killed and will be restarted", checked.error().message, who)));
    }
    return std::move(*line);
  }

  // Ends a processor that could not be talked to, and says what happened.
  Error lost_processor(const ChildIoError& error, std::string_view action, const std::string& who,
                       std::chrono::milliseconds timeout) {
    if (error.kind == ChildIoError::Kind::timed_out) {
      stop_processor(std::chrono::seconds(0));
      return Error::retriable(
          fmt::format("no reply within {} to {} from {}; it was killed and will be restarted",
                      format_duration(timeout), action, who));
    }
    if (error.kind == ChildIoError::Kind::closed) {
      // Most likely it is exiting: give it a moment, to report how it ended.
      std::string ended = stop_processor(exit_grace);
      return Error::retriable(
          fmt::format("{} {} during {}; it will be restarted", who, ended, action));
    }
    stop_processor(std::chrono::seconds(0));
    return Error::retriable(fmt::format(
        "talking to {} failed ({}); it was killed and will be restarted", who, error.detail));
  }

  // Closes the processor's input, gives it `grace` to exit, then kills its process group.
  std::string stop_processor(Clock::duration grace) {
    if (!process_) return "was not running";
    pid_t pid = process_->pid();
    std::string ended = process_->stop(Clock::now() + grace);
    process_.reset();
    spdlog::debug("shard {}: record processor (pid {}) {}", shard_id_, pid, ended);
    return ended;
  }

  std::shared_ptr<const CommandSettings> settings_;
  std::string shard_id_;
  std::unique_ptr<ChildProcess> process_;
  RestartSchedule restarts_;
  bool closed_ = false;
};

class CommandTarget final : public Target {
 public:
  explicit CommandTarget(std::shared_ptr<const CommandSettings> settings)
      : settings_(std::move(settings)) {}

  Result<std::unique_ptr<ShardSink>> open_shard(const std::string& shard_id) override {
    auto sink = std::make_unique<CommandSink>(settings_, shard_id);
    if (auto started = sink->start(); !started) return fail(started.error());
    return sink;
  }

 private:
  std::shared_ptr<const CommandSettings> settings_;
};

}  // namespace

Result<std::unique_ptr<Target>> make_command_target(const config::TargetConfig& config) {
  if (config.command.empty()) {
    return fail(Error::fatal("target.command must name the record processor to run"));
  }
  return std::make_unique<CommandTarget>(std::make_shared<const CommandSettings>(
      CommandSettings{config.command, config.base_dir, config.timeout}));
}

}  // namespace shardpipe
