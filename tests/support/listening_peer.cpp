#include "listening_peer.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace shardpipe::testing {

using namespace std::chrono_literals;

ListeningPeer::ListeningPeer(const std::vector<std::string>& argv,
                             const std::filesystem::path& log_file) {
  const std::string name = argv.size() > 2 ? argv[2] : argv.at(0);
  process_ = std::make_unique<BackgroundProcess>(argv, log_file);
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string out = process_->output();
    if (auto at = out.find("listening "); at != std::string::npos) {
      auto end = out.find('\n', at);
      if (end != std::string::npos) {
        port_ = std::stoi(out.substr(at + 10, end - at - 10));
        return;
      }
    }
    if (!process_->running()) throw std::runtime_error(name + " exited: " + out);
    std::this_thread::sleep_for(20ms);
  }
  throw std::runtime_error(name + " did not start within 60 s: " + process_->output());
}

}  // namespace shardpipe::testing
