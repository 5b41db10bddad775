// Expected failures as values: every error says whether trying again can help.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <utility>

namespace shardpipe {

// How the caller should react to an error (librdkafka and the KCL classify the same way).
enum class ErrorClass {
  retriable,  // transient: back off and try the same operation again
  permanent,  // this input will never succeed: route it elsewhere (dead letters) or report it
  fatal,      // the process cannot go on safely: stop without checkpointing
};

struct Error {
  ErrorClass kind = ErrorClass::permanent;
  std::string message;
  std::optional<int> status_code;  // the peer's answer, e.g. an HTTP status, when there was one

  static Error retriable(std::string message) {
    return {ErrorClass::retriable, std::move(message)};
  }
  static Error permanent(std::string message) {
    return {ErrorClass::permanent, std::move(message)};
  }
  static Error fatal(std::string message) { return {ErrorClass::fatal, std::move(message)}; }
  Error&& with_status(int code) && {
    status_code = code;
    return std::move(*this);
  }
  bool is_retriable() const { return kind == ErrorClass::retriable; }
};

template <typename T>
using Result = std::expected<T, Error>;

using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Error error) {
  return std::unexpected<Error>(std::move(error));
}

}  // namespace shardpipe
