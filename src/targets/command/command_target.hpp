// The command target: each shard's batches go to a record processor, a program in any language
// that speaks the protocol of docs/command-target.md on its stdin and stdout (the KCL's
// MultiLangDaemon idea, with JSON Lines). One processor runs per shard sink; one that crashes,
// hangs or goes out of step fails its batch and is restarted with backoff on the next delivery.
#pragma once

#include <memory>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "targets/target.hpp"

namespace shardpipe {

// Uses `command` (argv), `timeout` (how long one reply may take) and `base_dir` (the processor's
// working directory) of `config`.
Result<std::unique_ptr<Target>> make_command_target(const config::TargetConfig& config);

}  // namespace shardpipe
