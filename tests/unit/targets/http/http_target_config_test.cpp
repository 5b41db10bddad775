// Building an http target from its configuration: header values come from the environment, and
// mistakes are reported at start-up, naming the header but never showing its value.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "targets/http/http_target.hpp"

namespace shardpipe {
namespace {

config::TargetConfig http_config(std::map<std::string, std::string> headers) {
  config::TargetConfig config;
  config.type = "http";
  config.url = "http://127.0.0.1:9/batches";
  config.headers = std::move(headers);
  return config;
}

TEST(HttpTargetConfig, AcceptsHeadersWithSetVariables) {
  ::setenv("SHARDPIPE_TEST_HTTP_TOKEN", "s3cret", 1);
  auto target = make_http_target(
      http_config({{"Authorization", "Bearer ${SHARDPIPE_TEST_HTTP_TOKEN}"}, {"X-Plain", "v"}}));
  EXPECT_TRUE(target.has_value()) << target.error().message;
  ::unsetenv("SHARDPIPE_TEST_HTTP_TOKEN");
}

TEST(HttpTargetConfig, AnUnsetVariableIsAFatalErrorNamingHeaderAndVariable) {
  ::unsetenv("SHARDPIPE_TEST_HTTP_MISSING");
  auto target = make_http_target(
      http_config({{"Authorization", "Bearer abc ${SHARDPIPE_TEST_HTTP_MISSING}"}}));
  ASSERT_FALSE(target.has_value());
  EXPECT_EQ(target.error().kind, ErrorClass::fatal);
  const auto& message = target.error().message;
  EXPECT_NE(message.find("Authorization"), std::string::npos) << message;
  EXPECT_NE(message.find("SHARDPIPE_TEST_HTTP_MISSING"), std::string::npos) << message;
  EXPECT_EQ(message.find("Bearer abc"), std::string::npos) << message;
}

TEST(HttpTargetConfig, RejectsHeadersItCannotSend) {
  ::setenv("SHARDPIPE_TEST_HTTP_BREAK", "a\r\nX-Injected: 1", 1);
  for (const auto& headers : std::vector<std::map<std::string, std::string>>{
           {{"X-Broken", "${SHARDPIPE_TEST_HTTP_BREAK}"}},
           {{"Bad Name", "v"}},
           {{"Idempotency-Key", "fixed"}},
           {{"content-length", "10"}},
       }) {
    auto target = make_http_target(http_config(headers));
    ASSERT_FALSE(target.has_value()) << headers.begin()->first;
    EXPECT_EQ(target.error().kind, ErrorClass::fatal);
    EXPECT_EQ(target.error().message.find("X-Injected"), std::string::npos)
        << target.error().message;
  }
  ::unsetenv("SHARDPIPE_TEST_HTTP_BREAK");
}

}  // namespace
}  // namespace shardpipe
