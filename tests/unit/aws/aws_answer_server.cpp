#include "aws_answer_server.hpp"

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace shardpipe::aws::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using shardpipe::testing::BackgroundProcess;
using shardpipe::testing::read_file;
using shardpipe::testing::write_file;

AnswerServer::AnswerServer(fs::path dir, const nlohmann::json& answers) : dir_(std::move(dir)) {
  fs::create_directories(dir_);
  write_file(dir_ / "answers.json", answers.dump());
  write_file(dir_ / "requests.jsonl", "");
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{SHARDPIPE_PYTHON3, SHARDPIPE_AWS_ANSWER_SERVER, "--port-file",
                               (dir_ / "port").string(), "--log",
                               (dir_ / "requests.jsonl").string(), "--answers",
                               (dir_ / "answers.json").string()},
      dir_ / "server.log");
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!fs::exists(dir_ / "port")) {
    if (!process_->running() || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the answer server did not start: " + process_->output());
    }
    std::this_thread::sleep_for(10ms);
  }
  port_ = std::stoi(read_file(dir_ / "port"));
}

std::string AnswerServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::vector<nlohmann::json> AnswerServer::requests() const {
  std::vector<nlohmann::json> requests;
  std::istringstream lines(read_file(dir_ / "requests.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) requests.push_back(nlohmann::json::parse(line));
  }
  return requests;
}

}  // namespace shardpipe::aws::testing
