#include "observe/json_log_formatter.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace shardpipe {
namespace {

TEST(JsonLogFormatter, WritesOneValidJsonObjectPerLine) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("json-test", sink);
  logger.set_formatter(std::make_unique<JsonLogFormatter>());
  logger.warn("shard {}: \"quoted\", back\\slash,\nnew line and a tab\t", "shardId-000000000001");
  logger.info("second");

  std::istringstream lines(out.str());
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  auto first = nlohmann::json::parse(line);
  EXPECT_EQ(first["level"], "warning");
  EXPECT_EQ(first["message"],
            "shard shardId-000000000001: \"quoted\", back\\slash,\nnew line and a tab\t");
  EXPECT_TRUE(first["time"].get<std::string>().ends_with("Z")) << first["time"];
  EXPECT_EQ(first["time"].get<std::string>().size(), 24u) << "RFC 3339 with milliseconds";
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_EQ(nlohmann::json::parse(line)["message"], "second");
  EXPECT_FALSE(std::getline(lines, line));
}

}  // namespace
}  // namespace shardpipe
