// The fixture of the DynamoDB Streams tests: one DynamoDB Local for the whole program (it takes
// seconds to start), a table of its own per test, a fresh folder, fake credentials.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "dynamodb_peer.hpp"
#include "local_pipe.hpp"
#include "network_namespace.hpp"

namespace shardpipe::testing {

// A program's global test environment: enters a private network namespace before any test (and
// any thread), so every server and client the tests start is confined to it, and stops the
// shared DynamoDB Local at the end.
class PrivateNetworkWithDynamoDbLocal : public ::testing::Environment {
 public:
  void SetUp() override {
    try {
      enter_private_network_namespace();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
  }
  void TearDown() override { stop_shared_dynamodb_local(); }
};

class DynamoDbStreamsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDSHARDPIPETEST", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "test-secret", 1);
    ::unsetenv("AWS_SESSION_TOKEN");
    ::setenv("AWS_REGION", "us-east-1", 1);
    dir_ = fresh_test_dir(
        "ddb-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    server_ = &shared_dynamodb_local();
  }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::string endpoint() const { return server_->endpoint(); }
  int port() const { return server_->port(); }
  Completed run(const std::filesystem::path& pipe, const std::string& idle = "2s") const {
    return run_until_idle(SHARDPIPE_BINARY, pipe, "test-worker", idle);
  }
  // The pipe in the background until killed or stopped.
  std::unique_ptr<BackgroundProcess> start(const std::filesystem::path& pipe,
                                           const std::string& log) const {
    return std::make_unique<BackgroundProcess>(
        std::vector<std::string>{SHARDPIPE_BINARY, "run", pipe.string(), "--worker-id",
                                 "test-worker"},
        dir_ / log);
  }

  std::filesystem::path dir_;
  DynamoDbLocal* server_ = nullptr;
};

}  // namespace shardpipe::testing
