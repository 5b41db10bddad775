// The scripted HTTP server (scripted_http_server.py, whose header documents the script) run from
// a test: started on a free port of 127.0.0.1, scripted while it runs, and killed at the end.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process.hpp"

namespace shardpipe::testing {

class HttpTestServer {
 public:
  // Starts the server with `script`, keeping its files (script, port, request log, output) in
  // `dir`. Throws when it does not listen within 10 seconds. With `tls`, it speaks HTTPS with a
  // self-signed certificate for 127.0.0.1 made for the occasion (which a verifying client
  // rejects).
  explicit HttpTestServer(std::filesystem::path dir,
                          const nlohmann::json& script = {{"status", 200}}, bool tls = false);
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  // http://127.0.0.1:PORT (https:// with tls) followed by `path`.
  std::string url(const std::string& path = "/batches") const;
  // Replaces the script atomically; the next request follows it.
  void set_script(const nlohmann::json& script);
  // Every request answered so far, in the order they were answered (one parsed log line each).
  std::vector<nlohmann::json> requests() const;
  // Kills the server at once (SIGKILL), as an outage; restart() brings it back on the same port
  // with the same log and script.
  void kill();
  void restart();
  // What the server printed (tracebacks, if any).
  std::string output() const;

 private:
  void start(int port);

  std::filesystem::path dir_;
  bool tls_ = false;
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace shardpipe::testing
