// A server a test starts in the background (a node peer, a proxy) that prints "listening <port>"
// once it is ready.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "process.hpp"

namespace shardpipe::testing {

class ListeningPeer {
 public:
  // Starts `argv` with its output in `log_file` and waits up to a minute for its port; throws if
  // it exits or does not say it listens.
  ListeningPeer(const std::vector<std::string>& argv, const std::filesystem::path& log_file);
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  BackgroundProcess& process() { return *process_; }

 private:
  std::unique_ptr<BackgroundProcess> process_;
  int port_ = 0;
};

}  // namespace shardpipe::testing
