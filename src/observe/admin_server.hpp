// The admin endpoint: a small HTTP server (Boost.Beast, one thread) answering
//   GET /metrics  Prometheus text
//   GET /healthz  200 "ok" while healthy, else 503 with the reason
//   GET /status   the JSON of `status --json`
// and 404 otherwise. With a bearer token, every path answers 401 to a request without it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::observe {

struct AdminHandlers {
  std::function<std::string()> metrics;
  // nullopt while healthy, else why not.
  std::function<std::optional<std::string>()> health_problem;
  std::function<Result<std::string>()> status_json;
};

struct AdminResponse {
  unsigned status = 200;
  std::string content_type;
  std::string body;
};

// Routing and authorisation, without the network (so they can be tested alone). An empty
// `bearer_token` means no token is required.
AdminResponse answer_admin_request(const AdminHandlers& handlers, std::string_view bearer_token,
                                   std::string_view method, std::string_view target,
                                   std::string_view authorization);

// "HOST:PORT" (an IPv6 host in brackets) as an address and port; port 0 picks a free port.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
Result<ListenAddress> parse_listen_address(std::string_view listen);

class AdminServer {
 public:
  // Binds `listen` and starts serving on a thread of its own.
  static Result<std::unique_ptr<AdminServer>> start(std::string_view listen,
                                                    std::string bearer_token,
                                                    AdminHandlers handlers);
  ~AdminServer();  // stops
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // The bound address, e.g. "127.0.0.1:9464" (with the port chosen when 0 was asked for).
  std::string address() const;
  uint16_t port() const;
  // Closes the listener and open connections and joins the thread; prompt, even mid-request.
  void stop();

 private:
  struct Impl;
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shardpipe::observe
