#include "targets/command/command_target.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "targets/command/processor_protocol.hpp"
#include "targets/command/record_processor.hpp"

namespace shardpipe {
namespace {

namespace protocol = processor_protocol;

class CommandSink final : public ShardSink {
 public:
  CommandSink(std::shared_ptr<const RecordProcessorSettings> settings, std::string shard_id)
      : shard_id_(shard_id), processor_(std::move(settings), std::move(shard_id)) {}

  // Starts and initializes the first processor.
  Status start() { return processor_.start(); }

  DeliveryOutcome deliver(std::span<const Record> batch) override {
    DeliveryOutcome outcome;
    if (batch.empty()) return outcome;
    if (closed_) {
      return DeliveryOutcome::failed(Error::fatal(
          fmt::format("shard {}: a batch was offered to a closed command sink", shard_id_)));
    }
    if (auto running = processor_.ensure_running(); !running) {
      return DeliveryOutcome::failed(running.error());
    }
    auto reply =
        processor_.exchange(protocol::process_records_message(batch), protocol::process_records);
    if (!reply) return DeliveryOutcome::failed(reply.error());
    auto failures = protocol::failed_records(*reply, batch);
    if (!failures) return DeliveryOutcome::failed(failures.error());
    processor_.succeeded();
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
      if (auto running = processor_.ensure_running(); !running) return running;
      if (auto reply = processor_.exchange(protocol::action_message(action), action); !reply) {
        return fail(reply.error());
      }
    } else if (processor_.ready()) {
      // Best effort: the shard goes on elsewhere (lease lost) or later (shutdown) anyway.
      if (auto reply = processor_.exchange(protocol::action_message(action), action); !reply) {
        spdlog::info("shard {}: {}", shard_id_, reply.error().message);
      }
    }
    closed_ = true;
    processor_.stop(RecordProcessor::exit_grace);
    return {};
  }

 private:
  std::string shard_id_;
  RecordProcessor processor_;
  bool closed_ = false;
};

class CommandTarget final : public Target {
 public:
  explicit CommandTarget(std::shared_ptr<const RecordProcessorSettings> settings)
      : settings_(std::move(settings)) {}

  Result<std::unique_ptr<ShardSink>> open_shard(const std::string& shard_id) override {
    auto sink = std::make_unique<CommandSink>(settings_, shard_id);
    if (auto started = sink->start(); !started) return fail(started.error());
    return sink;
  }

 private:
  std::shared_ptr<const RecordProcessorSettings> settings_;
};

}  // namespace

Result<std::unique_ptr<Target>> make_command_target(const config::TargetConfig& config) {
  if (config.command.empty()) {
    return fail(Error::fatal("target.command must name the record processor to run"));
  }
  return std::make_unique<CommandTarget>(std::make_shared<const RecordProcessorSettings>(
      RecordProcessorSettings{config.command, config.base_dir, config.timeout}));
}

}  // namespace shardpipe
