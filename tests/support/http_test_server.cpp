#include "http_test_server.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace shardpipe::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

HttpTestServer::HttpTestServer(fs::path dir, const nlohmann::json& script, bool tls)
    : dir_(std::move(dir)), tls_(tls) {
  fs::create_directories(dir_);
  set_script(script);
  if (tls_) {
    auto made = run_process_for(
        30s, {SHARDPIPE_OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
              "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
              (dir_ / "key.pem").string(), "-out", (dir_ / "cert.pem").string()});
    if (made.exit_code != 0) {
      throw std::runtime_error("could not make a test certificate: " + made.err);
    }
  }
  start(0);
}

HttpTestServer::~HttpTestServer() = default;  // BackgroundProcess kills the server

void HttpTestServer::start(int port) {
  fs::remove(dir_ / "port");
  std::vector<std::string> argv = {SHARDPIPE_PYTHON3, SHARDPIPE_SCRIPTED_HTTP_SERVER};
  for (const auto& [option, file] : {std::pair{"--port-file", "port"},
                                     {"--log", "requests.jsonl"},
                                     {"--script", "script.json"}}) {
    argv.insert(argv.end(), {option, (dir_ / file).string()});
  }
  argv.insert(argv.end(), {"--port", std::to_string(port)});
  if (tls_) {
    argv.insert(argv.end(), {"--tls-cert", (dir_ / "cert.pem").string(), "--tls-key",
                             (dir_ / "key.pem").string()});
  }
  process_ = std::make_unique<BackgroundProcess>(argv, dir_ / "server.log");
  const auto deadline =
      std::chrono::steady_clock::now() + 60s;  // Python starts slowly on a busy machine
  while (!fs::exists(dir_ / "port")) {
    if (!process_->running() || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the scripted HTTP server did not start: " + output());
    }
    std::this_thread::sleep_for(10ms);
  }
  port_ = std::stoi(read_file(dir_ / "port"));
}

std::string HttpTestServer::url(const std::string& path) const {
  return fmt::format("{}://127.0.0.1:{}{}", tls_ ? "https" : "http", port_, path);
}

void HttpTestServer::set_script(const nlohmann::json& script) {
  // Written aside and renamed, so the server never reads half a script.
  write_file(dir_ / "script.json.tmp", script.dump());
  fs::rename(dir_ / "script.json.tmp", dir_ / "script.json");
}

std::vector<nlohmann::json> HttpTestServer::requests() const {
  std::vector<nlohmann::json> requests;
  std::istringstream lines(read_file(dir_ / "requests.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    if (lines.eof()) break;  // a line still being written has no newline yet
    requests.push_back(nlohmann::json::parse(line));
  }
  return requests;
}

void HttpTestServer::kill() {
  process_->signal(SIGKILL);
  process_->wait_for(10s);
}

void HttpTestServer::restart() {
  if (process_->running()) kill();
  start(port_);
}

std::string HttpTestServer::output() const {
  return read_file(dir_ / "server.log");
}

}  // namespace shardpipe::testing
