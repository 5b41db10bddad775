// One record processor (docs/command-target.md) serving one shard: a program started with
// `initialize`, talked to one message and one status reply at a time, and ended and started
// again (with the restart schedule's backoff) after a crash, a time-out or a reply out of step.
// The command target delivers through one; a command enrichment enriches through one.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "targets/command/child_process.hpp"
#include "targets/command/restart_schedule.hpp"

namespace shardpipe {

struct RecordProcessorSettings {
  std::vector<std::string> argv;
  std::filesystem::path working_dir;
  std::chrono::milliseconds timeout;      // for one reply
  std::string role = "record processor";  // how messages name it
};

class RecordProcessor {
 public:
  using Clock = std::chrono::steady_clock;

  RecordProcessor(std::shared_ptr<const RecordProcessorSettings> settings, std::string shard_id)
      : settings_(std::move(settings)), shard_id_(std::move(shard_id)) {}
  ~RecordProcessor() { stop(exit_grace); }
  RecordProcessor(const RecordProcessor&) = delete;
  RecordProcessor& operator=(const RecordProcessor&) = delete;

  // How long a processor has to exit once its input is closed, before its group is killed.
  static constexpr auto exit_grace = std::chrono::seconds(2);

  // Starts the processor (after the schedule's wait) and initializes it.
  Status start();
  // Restarts the processor when it is gone or out of step since the last exchange.
  Status ensure_running();
  // Sends one message and reads its status reply for `action`. On any failure the processor is
  // ended, so that the next exchange starts a fresh one in step with us.
  Result<std::string> exchange(std::string_view message, std::string_view action);
  // A batch went through: the next restart waits the least again.
  void succeeded() { restarts_.succeeded(); }
  // Whether a processor runs, in step, now.
  bool ready() const;
  // Closes the processor's input, gives it `grace` to exit, then kills its process group. Says
  // how it ended.
  std::string stop(Clock::duration grace);
  // "the record processor [node, ./processor.js] of shard shardId-000000000000 (pid 42)"
  std::string name() const;

 private:
  Result<std::string> exchange(std::string_view message, std::string_view action,
                               std::chrono::milliseconds timeout);
  Error lost(const ChildIoError& error, std::string_view action, const std::string& who,
             std::chrono::milliseconds timeout);

  std::shared_ptr<const RecordProcessorSettings> settings_;
  std::string shard_id_;
  std::unique_ptr<ChildProcess> process_;
  RestartSchedule restarts_;
};

}  // namespace shardpipe
