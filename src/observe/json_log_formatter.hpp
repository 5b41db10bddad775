// Log lines as JSON Lines (`--log-format json`), for log shippers:
//   {"time":"2026-11-22T10:00:00.250Z","level":"info","message":"shard ...: finished"}
// Messages are escaped as JSON strings, so a line is always one valid JSON object.
#pragma once

#include <spdlog/formatter.h>

#include <memory>

namespace shardpipe {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace shardpipe
