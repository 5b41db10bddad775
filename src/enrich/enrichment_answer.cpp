#include "enrich/enrichment_answer.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "net/body_excerpt.hpp"
#include "targets/http/partial_response.hpp"

namespace shardpipe {
namespace {

std::string with_excerpt(std::string message, std::string_view body) {
  if (auto excerpt = net::body_excerpt(body); !excerpt.empty()) message += ": " + excerpt;
  return message;
}

// The elements of `array` as compact JSON, when there is one per record of the batch.
Result<std::vector<std::string>> elements_of(const nlohmann::json& array, size_t batch_size,
                                             const std::string& who_answered) {
  if (array.size() != batch_size) {
    return fail(Error::retriable(fmt::format("{} {} elements for a batch of {} records",
                                             who_answered, array.size(), batch_size)));
  }
  std::vector<std::string> envelopes;
  envelopes.reserve(array.size());
  for (const auto& element : array) {
    envelopes.push_back(element.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return envelopes;
}

}  // namespace

Result<std::vector<std::string>> read_enrichment_answer(int status, std::string_view body,
                                                        size_t batch_size, std::string_view url) {
  if (status < 200 || status > 299) {
    auto message =
        with_excerpt(fmt::format("the enrichment {} answered HTTP {}", url, status), body);
    Error error = retriable_status(status) ? Error::retriable(message) : Error::permanent(message);
    return fail(std::move(error).with_status(status));
  }
  auto answer = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_array()) {
    return fail(Error::retriable(
        with_excerpt(fmt::format("the enrichment {} did not answer a JSON array", url), body)));
  }
  return elements_of(answer, batch_size, fmt::format("the enrichment {} answered", url));
}

Result<std::vector<std::string>> read_enrichment_reply(std::string_view reply, size_t batch_size,
                                                       std::string_view who) {
  auto answer = nlohmann::json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object() || !answer.contains("records") || !answer["records"].is_array()) {
    return fail(Error::retriable(
        with_excerpt(fmt::format("{} replied without a \"records\" array", who), reply)));
  }
  return elements_of(answer["records"], batch_size, fmt::format("{} replied", who));
}

}  // namespace shardpipe
