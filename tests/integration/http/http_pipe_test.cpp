// The shardpipe binary delivering a local log to the http target, end to end.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <set>

#include "http_test_server.hpp"
#include "local_pipe.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
using shardpipe::testing::fresh_test_dir;
using shardpipe::testing::HttpTestServer;
namespace t = shardpipe::testing;

const std::string binary = SHARDPIPE_BINARY;

std::string pipe_yaml(const std::string& url) {
  return fmt::format(R"(name: http-pipe
source:
  type: local
  path: ./log
  batch_size: 50
target:
  type: http
  url: {}
  headers:
    Authorization: Bearer ${{SHARDPIPE_TEST_PIPE_TOKEN}}
  timeout: 5s
retry: {{backoff_initial: 50ms, backoff_max: 500ms}}
checkpoint:
  lease_duration: 2s
shutdown_timeout: 3s
)",
                     url);
}

TEST(HttpPipe, DeliversEveryRecordOfALocalLog) {
  auto dir = fresh_test_dir("http-pipe");
  HttpTestServer server(dir / "server");
  t::create_log(binary, dir / "log", 2);
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i)
    lines.push_back(fmt::format(R"({{"k":"key-{}","n":{}}})", i % 37, i));
  auto put = t::put_records(binary, dir / "log", lines, {"--partition-key-field", "k"});
  t::write_file(dir / "pipe.yaml", pipe_yaml(server.url("/batches")));

  ::setenv("SHARDPIPE_TEST_PIPE_TOKEN", "pipe-t0ken", 1);
  auto run = t::run_until_idle(binary, dir / "pipe.yaml");
  ::unsetenv("SHARDPIPE_TEST_PIPE_TOKEN");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.find("pipe-t0ken"), std::string::npos) << "a header value was logged";

  std::set<std::string> received;
  for (const auto& request : server.requests()) {
    EXPECT_EQ(request["headers"]["authorization"], "Bearer pipe-t0ken");
    EXPECT_TRUE(request["headers"].contains("idempotency-key"));
    for (const auto& event_id : request["event_ids"]) received.insert(event_id.get<std::string>());
  }
  size_t missing = 0;
  for (const auto& record : put) {
    auto event_id = fmt::format("{}:{}", record.shard_id, record.sequence);
    if (!received.contains(event_id)) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << put.size() << " records, the server never received "
                         << missing;
  EXPECT_EQ(received.size(), put.size());

  EXPECT_EQ(t::checkpointed_to_the_end(binary, dir / "pipe.yaml", put), "");
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe
