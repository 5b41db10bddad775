// A small HTTP client over libcurl for targets and dead-letter destinations.
//
// Each client owns one easy handle, reused for every request, so its keep-alive connection is
// reused too (and libcurl retries a request once on a reused connection the server has closed).
// A client is used by one thread at a time; give each shard its own.
//
// Header values may hold tokens: nothing here logs them or puts them into an error message.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace shardpipe::net {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "POST";
  std::string url;
  std::vector<Header> headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};  // for the whole exchange, connecting included
};

struct Response {
  int status = 0;
  std::string body;
  std::vector<Header> headers;  // of the final answer, in the order received

  // The value of the first header named `name` (any case), or nullptr.
  const std::string* header(std::string_view name) const;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Sends `request` and returns the answer, whatever its status. A HEAD request reads no body. A
  // failure to get an answer (refused or lost connection, name lookup, TLS, time-out) is a
  // retriable error naming the method, the URL (without secrets, see url_for_messages) and
  // libcurl's reason. TLS certificates are always verified and redirects are not followed.
  Result<Response> send(const Request& request);

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

// True when `name` is a valid header name and `value` cannot break out of its header line.
bool valid_header(const Header& header);

}  // namespace shardpipe::net
