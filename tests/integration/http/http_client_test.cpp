// The HTTP client against the scripted server: answers of every status come back as they are,
// connections are kept alive, and no answer (refused, dropped, too slow) is a retriable error.
#include "net/http_client.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "free_port.hpp"
#include "http_test_server.hpp"

namespace shardpipe::net {
namespace {

using namespace std::chrono_literals;
using shardpipe::testing::fresh_test_dir;
using shardpipe::testing::HttpTestServer;

Request post(const std::string& url, std::string body = R"([{"eventID":"a"}])") {
  return Request{.method = "POST",
                 .url = url,
                 .headers = {{"Content-Type", "application/json"}},
                 .body = std::move(body),
                 .timeout = 10s};
}

TEST(HttpClient, SendsTheRequestAndReturnsTheAnswer) {
  HttpTestServer server(fresh_test_dir("http-client-answer"),
                        {{"status", 201}, {"body", "created"}});
  HttpClient client;
  auto request = post(server.url("/batches"));
  request.headers.push_back({"X-Tenant", "acme"});
  auto answer = client.send(request);
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->body, "created");

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["method"], "POST");
  EXPECT_EQ(seen[0]["path"], "/batches");
  EXPECT_EQ(seen[0]["body"], nlohmann::json::parse(R"([{"eventID":"a"}])"));
  EXPECT_EQ(seen[0]["headers"]["content-type"], "application/json");
  EXPECT_EQ(seen[0]["headers"]["x-tenant"], "acme");
  EXPECT_FALSE(seen[0]["headers"].contains("expect")) << seen[0].dump();
}

TEST(HttpClient, ALargeBodyGoesAtOnceWithoutExpect) {
  HttpTestServer server(fresh_test_dir("http-client-large"));
  HttpClient client;
  // Past the size at which libcurl would otherwise ask for "100 Continue" first.
  const std::string data(3 * 1024 * 1024, 'x');
  auto answer = client.send(post(server.url(), nlohmann::json::array({data}).dump()));
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0]["headers"].contains("expect")) << seen[0]["headers"].dump();
  EXPECT_EQ(seen[0]["body"][0].get<std::string>().size(), data.size());
}

TEST(HttpClient, ErrorStatusesAreAnswersNotErrors) {
  HttpTestServer server(fresh_test_dir("http-client-status"), {{"status", 503}, {"body", "busy"}});
  HttpClient client;
  auto answer = client.send(post(server.url()));
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(answer->status, 503);
  EXPECT_EQ(answer->body, "busy");
}

TEST(HttpClient, ReusesOneConnectionForSeveralRequests) {
  HttpTestServer server(fresh_test_dir("http-client-keep-alive"));
  HttpClient client;
  for (int i = 0; i < 5; ++i) {
    auto answer = client.send(post(server.url()));
    ASSERT_TRUE(answer.has_value()) << answer.error().message;
    ASSERT_EQ(answer->status, 200);
  }
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 5u);
  for (const auto& request : seen) {
    EXPECT_EQ(request["client_port"], seen[0]["client_port"])
        << "a new connection for a request: keep-alive is not working";
  }
}

// Shards deliver from their own threads, each with its own client and connection.
TEST(HttpClient, ClientsOnSeveralThreadsKeepOneConnectionEach) {
  HttpTestServer server(fresh_test_dir("http-client-threads"));
  constexpr int threads = 4;
  constexpr int requests_each = 10;
  std::atomic<int> failures = 0;
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] {
      HttpClient client;
      for (int i = 0; i < requests_each; ++i) {
        auto answer = client.send(post(server.url(fmt::format("/thread-{}", t))));
        if (!answer || answer->status != 200) ++failures;
      }
    });
  }
  for (auto& thread : running) thread.join();
  EXPECT_EQ(failures, 0);
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), static_cast<size_t>(threads * requests_each));
  std::map<std::string, std::set<int>> ports_by_thread;
  for (const auto& request : seen) {
    ports_by_thread[request["path"]].insert(request["client_port"].get<int>());
  }
  std::set<int> all_ports;
  for (const auto& [path, ports] : ports_by_thread) {
    EXPECT_EQ(ports.size(), 1u) << path << " used several connections";
    all_ports.insert(ports.begin(), ports.end());
  }
  EXPECT_EQ(all_ports.size(), static_cast<size_t>(threads)) << "threads shared a connection";
}

TEST(HttpClient, OpensANewConnectionWhenTheServerClosedTheLastOne) {
  HttpTestServer server(fresh_test_dir("http-client-closed"), {{"close_connection", true}});
  HttpClient client;
  ASSERT_TRUE(client.send(post(server.url())).has_value());
  server.set_script({{"status", 200}});
  auto answer = client.send(post(server.url()));
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[0]["client_port"], seen[1]["client_port"]);
}

TEST(HttpClient, RecoversWhenTheServerComesBack) {
  HttpTestServer server(fresh_test_dir("http-client-restart"));
  HttpClient client;
  ASSERT_TRUE(client.send(post(server.url())).has_value());
  server.kill();  // the client's kept-alive connection dies with it
  auto down = client.send(post(server.url()));
  ASSERT_FALSE(down.has_value()) << "answered " << down->status;
  EXPECT_TRUE(down.error().is_retriable());
  server.restart();
  auto back = client.send(post(server.url()));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->status, 200);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(HttpClient, ASlowAnswerIsARetriableTimeOut) {
  HttpTestServer server(fresh_test_dir("http-client-time-out"), {{"delay_ms", 3000}});
  HttpClient client;
  auto request = post(server.url());
  request.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto answer = client.send(request);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(answer.has_value()) << "answered " << answer->status;
  EXPECT_TRUE(answer.error().is_retriable());
  EXPECT_NE(answer.error().message.find("300 ms"), std::string::npos) << answer.error().message;
  EXPECT_NE(answer.error().message.find(server.url()), std::string::npos) << answer.error().message;
  EXPECT_LT(took, 2500ms) << "the time-out was not applied";

  // The same client goes on working once the server is fast again.
  server.set_script({{"status", 200}});
  auto next = client.send(post(server.url()));
  ASSERT_TRUE(next.has_value()) << next.error().message;
  EXPECT_EQ(next->status, 200);
}

TEST(HttpClient, ARefusedConnectionIsRetriable) {
  const auto url = fmt::format("http://127.0.0.1:{}/batches", testing::unused_port());
  HttpClient client;
  auto answer = client.send(post(url));
  ASSERT_FALSE(answer.has_value());
  EXPECT_TRUE(answer.error().is_retriable());
  EXPECT_FALSE(answer.error().status_code.has_value());
  EXPECT_NE(answer.error().message.find(url), std::string::npos) << answer.error().message;
  EXPECT_NE(answer.error().message.find("onnect"), std::string::npos) << answer.error().message;
}

TEST(HttpClient, ADroppedConnectionIsRetriable) {
  HttpTestServer server(fresh_test_dir("http-client-dropped"), {{"drop", true}});
  HttpClient client;
  auto answer = client.send(post(server.url()));
  ASSERT_FALSE(answer.has_value()) << "answered " << answer->status;
  EXPECT_TRUE(answer.error().is_retriable());
}

TEST(HttpClient, ErrorsNeverShowSecretsOfTheUrl) {
  const auto url =
      fmt::format("http://user:s3cret@127.0.0.1:{}/batches?token=t0ken", testing::unused_port());
  HttpClient client;
  auto answer = client.send(post(url));
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().message.find("s3cret"), std::string::npos) << answer.error().message;
  EXPECT_EQ(answer.error().message.find("t0ken"), std::string::npos) << answer.error().message;
}

TEST(HttpClient, DoesNotFollowRedirects) {
  HttpTestServer server(fresh_test_dir("http-client-redirect"),
                        {{"status", 302}, {"headers", {{"Location", "/elsewhere"}}}});
  HttpClient client;
  auto answer = client.send(post(server.url("/batches")));
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(answer->status, 302);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpClient, VerifiesTlsCertificates) {
  HttpTestServer server(fresh_test_dir("http-client-tls"), {{"status", 200}}, /*tls=*/true);
  ASSERT_TRUE(server.url().starts_with("https://"));
  HttpClient client;
  auto answer = client.send(post(server.url()));
  ASSERT_FALSE(answer.has_value())
      << "a self-signed certificate was accepted: answered " << answer->status;
  EXPECT_TRUE(answer.error().is_retriable());
  EXPECT_NE(answer.error().message.find("certificate"), std::string::npos)
      << answer.error().message;
  EXPECT_TRUE(server.requests().empty());
}

TEST(HttpClient, RefusesAHeaderThatWouldBreakItsLine) {
  HttpTestServer server(fresh_test_dir("http-client-header"));
  HttpClient client;
  auto request = post(server.url());
  request.headers.push_back({"X-Bad", "value\r\nX-Injected: yes"});
  auto answer = client.send(request);
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().message.find("X-Injected"), std::string::npos) << answer.error().message;
  EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace shardpipe::net
