// The admin endpoint: routing, the bearer token, and a real server on a free port answering a
// real HTTP client, then stopping promptly with a connection left open.
#include "observe/admin_server.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "net/http_client.hpp"

namespace shardpipe::observe {
namespace {

using namespace std::chrono_literals;

AdminHandlers handlers(std::optional<std::string> problem = std::nullopt) {
  return AdminHandlers{
      .metrics = [] { return std::string("m_total 1\n"); },
      .health_problem = [problem] { return problem; },
      .status_json = []() -> Result<std::string> { return std::string(R"({"pipe":"p"})"); },
  };
}

TEST(AdminRequests, RoutesTheThreePathsAndAnswers404Otherwise) {
  auto h = handlers();
  auto metrics = answer_admin_request(h, "", "GET", "/metrics", "");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_EQ(metrics.body, "m_total 1\n");
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4");
  EXPECT_EQ(answer_admin_request(h, "", "GET", "/healthz", "").body, "ok\n");
  auto status = answer_admin_request(h, "", "GET", "/status?pretty", "");
  EXPECT_EQ(status.status, 200u);
  EXPECT_EQ(status.content_type, "application/json");
  EXPECT_EQ(status.body, R"({"pipe":"p"})");
  EXPECT_EQ(answer_admin_request(h, "", "GET", "/", "").status, 404u);
  EXPECT_EQ(answer_admin_request(h, "", "POST", "/metrics", "").status, 405u);
}

TEST(AdminRequests, HealthzAnswers503WithTheReason) {
  auto answer = answer_admin_request(handlers("checkpoint store unreachable: locked"), "", "GET",
                                     "/healthz", "");
  EXPECT_EQ(answer.status, 503u);
  EXPECT_EQ(answer.body, "checkpoint store unreachable: locked\n");
}

TEST(AdminRequests, RequiresTheBearerTokenWhenOneIsSet) {
  auto h = handlers();
  EXPECT_EQ(answer_admin_request(h, "s3cret", "GET", "/metrics", "").status, 401u);
  EXPECT_EQ(answer_admin_request(h, "s3cret", "GET", "/metrics", "Bearer wrong").status, 401u);
  EXPECT_EQ(answer_admin_request(h, "s3cret", "GET", "/metrics", "Bearer s3cre").status, 401u);
  EXPECT_EQ(answer_admin_request(h, "s3cret", "GET", "/healthz", "Basic s3cret").status, 401u);
  EXPECT_EQ(answer_admin_request(h, "s3cret", "GET", "/unknown", "").status, 401u);
  EXPECT_EQ(answer_admin_request(h, "s3cret", "GET", "/metrics", "Bearer s3cret").status, 200u);
}

TEST(AdminListen, ParsesHostAndPort) {
  auto v4 = parse_listen_address("127.0.0.1:9464");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 9464);
  auto v6 = parse_listen_address("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_FALSE(parse_listen_address("localhost"));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:99999"));
  EXPECT_FALSE(parse_listen_address(":9464"));
}

TEST(AdminServer, ServesOnAFreePortAndStopsPromptlyWithAnIdleConnectionOpen) {
  auto server = AdminServer::start("127.0.0.1:0", "tok", handlers());
  ASSERT_TRUE(server) << server.error().message;
  auto port = (*server)->port();
  ASSERT_NE(port, 0);
  EXPECT_EQ((*server)->address(), "127.0.0.1:" + std::to_string(port));

  net::HttpClient client;
  auto base = "http://127.0.0.1:" + std::to_string(port);
  auto denied = client.send({.method = "GET", .url = base + "/metrics", .timeout = 5s});
  ASSERT_TRUE(denied) << denied.error().message;
  EXPECT_EQ(denied->status, 401);
  auto metrics = client.send({.method = "GET",
                              .url = base + "/metrics",
                              .headers = {{"Authorization", "Bearer tok"}},
                              .timeout = 5s});
  ASSERT_TRUE(metrics) << metrics.error().message;
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->body, "m_total 1\n");

  // A client that connects and says nothing must not hold the server up at shutdown.
  int idle = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(idle, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  auto started = std::chrono::steady_clock::now();
  (*server)->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  ::close(idle);
}

TEST(AdminServer, FailsToStartOnAPortInUse) {
  auto first = AdminServer::start("127.0.0.1:0", "", handlers());
  ASSERT_TRUE(first);
  auto second = AdminServer::start("127.0.0.1:" + std::to_string((*first)->port()), "", handlers());
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("cannot bind"), std::string::npos)
      << second.error().message;
}

}  // namespace
}  // namespace shardpipe::observe
