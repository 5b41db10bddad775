#include "observe/json_log_formatter.hpp"

#include <chrono>
#include <string>

#include "core/json_text.hpp"
#include "core/units.hpp"

namespace shardpipe {

void JsonLogFormatter::format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) {
  auto unix_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(message.time.time_since_epoch())
          .count();
  std::string line = R"({"time":")" + format_rfc3339_ms(unix_ms) + R"(","level":)";
  auto level = spdlog::level::to_string_view(message.level);
  append_json_string(line, std::string_view(level.data(), level.size()));
  line += R"(,"message":)";
  append_json_string(line, std::string_view(message.payload.data(), message.payload.size()));
  line += "}\n";
  out.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

}  // namespace shardpipe
