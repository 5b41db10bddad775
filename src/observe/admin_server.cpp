#include "observe/admin_server.hpp"

#include <fmt/format.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <thread>

#include "observe/metrics_registry.hpp"

namespace shardpipe::observe {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view text_type = "text/plain; charset=utf-8";
constexpr auto request_timeout = std::chrono::seconds(10);

// Compares in time independent of where the strings differ, so the token cannot be guessed
// byte by byte.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    difference |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return difference == 0;
}

}  // namespace

AdminResponse answer_admin_request(const AdminHandlers& handlers, std::string_view bearer_token,
                                   std::string_view method, std::string_view target,
                                   std::string_view authorization) {
  if (!bearer_token.empty()) {
    constexpr std::string_view scheme = "Bearer ";
    if (!authorization.starts_with(scheme) ||
        !same_secret(authorization.substr(scheme.size()), bearer_token)) {
      return {401, std::string(text_type), "a bearer token is required\n"};
    }
  }
  auto path = target.substr(0, target.find('?'));
  if (path != "/metrics" && path != "/healthz" && path != "/status") {
    return {404, std::string(text_type), "not found; try /metrics, /healthz or /status\n"};
  }
  if (method != "GET" && method != "HEAD") {
    return {405, std::string(text_type), "only GET\n"};
  }
  if (path == "/metrics") {
    return {200, std::string(exposition_content_type), handlers.metrics()};
  }
  if (path == "/healthz") {
    if (auto problem = handlers.health_problem()) {
      return {503, std::string(text_type), *problem + "\n"};
    }
    return {200, std::string(text_type), "ok\n"};
  }
  auto status = handlers.status_json();
  if (!status) return {503, std::string(text_type), status.error().message + "\n"};
  return {200, "application/json", *status};
}

Result<ListenAddress> parse_listen_address(std::string_view listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail(Error::fatal(fmt::format("metrics.listen must be HOST:PORT, got '{}'", listen)));
  }
  ListenAddress out;
  out.host = std::string(listen.substr(0, colon));
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  auto port = listen.substr(colon + 1);
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (port.empty() || error != std::errc{} || end != port.data() + port.size()) {
    return fail(Error::fatal(fmt::format("metrics.listen must be HOST:PORT, got '{}'", listen)));
  }
  return out;
}

// One io_context on one thread; every connection reads one request, answers it and closes.
struct AdminServer::Impl {
  Impl(std::string token, AdminHandlers handlers)
      : bearer_token(std::move(token)), handlers(std::move(handlers)), acceptor(io) {}

  struct Connection : std::enable_shared_from_this<Connection> {
    Connection(Impl& server, tcp::socket socket) : server(server), stream(std::move(socket)) {}

    void read() {
      stream.expires_after(request_timeout);
      http::async_read(stream, buffer, request,
                       [self = shared_from_this()](beast::error_code error, size_t) {
                         if (!error) self->respond();
                       });
    }

    void respond() {
      auto answer = answer_admin_request(server.handlers, server.bearer_token,
                                         std::string_view(request.method_string()),
                                         std::string_view(request.target()),
                                         std::string_view(request[http::field::authorization]));
      response.result(answer.status);
      response.version(request.version());
      response.set(http::field::content_type, answer.content_type);
      if (answer.status == 401) response.set(http::field::www_authenticate, "Bearer");
      response.keep_alive(false);
      bool head = request.method() == http::verb::head;
      response.body() = head ? std::string() : std::move(answer.body);
      response.prepare_payload();
      http::async_write(stream, response, [self = shared_from_this()](beast::error_code, size_t) {
        beast::error_code ignored;
        self->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      });
    }

    Impl& server;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
  };

  void accept() {
    acceptor.async_accept([this](beast::error_code error, tcp::socket socket) {
      if (error == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!error) std::make_shared<Connection>(*this, std::move(socket))->read();
      accept();
    });
  }

  std::string bearer_token;
  AdminHandlers handlers;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  tcp::endpoint bound;
  std::thread thread;
};

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() {
  stop();
}

Result<std::unique_ptr<AdminServer>> AdminServer::start(std::string_view listen,
                                                        std::string bearer_token,
                                                        AdminHandlers handlers) {
  auto address = parse_listen_address(listen);
  if (!address) return fail(address.error());
  auto impl = std::make_unique<Impl>(std::move(bearer_token), std::move(handlers));
  beast::error_code error;
  tcp::resolver resolver(impl->io);
  auto endpoints = resolver.resolve(address->host, std::to_string(address->port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, error);
  if (error || endpoints.empty()) {
    return fail(Error::fatal(
        fmt::format("metrics.listen {}: cannot resolve the host: {}", listen, error.message())));
  }
  auto endpoint = endpoints.begin()->endpoint();
  auto failed = [&](std::string_view step) {
    return fail(Error::fatal(
        fmt::format("metrics.listen {}: cannot {}: {}", listen, step, error.message())));
  };
  if (impl->acceptor.open(endpoint.protocol(), error); error) return failed("open a socket");
  if (impl->acceptor.set_option(asio::socket_base::reuse_address(true), error); error)
    return failed("set SO_REUSEADDR");
  if (impl->acceptor.bind(endpoint, error); error) return failed("bind");
  if (impl->acceptor.listen(asio::socket_base::max_listen_connections, error); error)
    return failed("listen");
  impl->bound = impl->acceptor.local_endpoint(error);
  if (error) return failed("read the bound address");
  impl->accept();
  impl->thread = std::thread([raw = impl.get()] { raw->io.run(); });
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

std::string AdminServer::address() const {
  auto host = impl_->bound.address();
  return host.is_v6() ? fmt::format("[{}]:{}", host.to_string(), impl_->bound.port())
                      : fmt::format("{}:{}", host.to_string(), impl_->bound.port());
}

uint16_t AdminServer::port() const {
  return impl_->bound.port();
}

void AdminServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  // Closing on the server's own thread avoids racing its handlers; stop() ends what is left.
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->io.stop();
  });
  impl_->thread.join();
}

}  // namespace shardpipe::observe
