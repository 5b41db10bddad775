// aws_answer_server.py run from a test: answers AWS JSON-protocol requests from a list given up
// front, records every request, and is killed at the end of the test.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process.hpp"

namespace shardpipe::aws::testing {

class AnswerServer {
 public:
  // Starts the server in `dir` with `answers` (see the script's header); throws when it does not
  // listen within 10 seconds.
  AnswerServer(std::filesystem::path dir, const nlohmann::json& answers);

  // http://127.0.0.1:PORT
  std::string url() const;
  // Every request answered so far, in order.
  std::vector<nlohmann::json> requests() const;

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  std::unique_ptr<shardpipe::testing::BackgroundProcess> process_;
};

}  // namespace shardpipe::aws::testing
