#include "targets/http/partial_response.hpp"

#include <fmt/format.h>

#include "net/body_excerpt.hpp"
#include "targets/batch_item_failures.hpp"

namespace shardpipe {
namespace {

Error status_error(int status, std::string_view body) {
  std::string message = fmt::format("the target answered HTTP {}", status);
  if (auto excerpt = net::body_excerpt(body); !excerpt.empty()) message += ": " + excerpt;
  Error error = retriable_status(status) ? Error::retriable(message) : Error::permanent(message);
  return std::move(error).with_status(status);
}

}  // namespace

bool retriable_status(int status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

DeliveryOutcome interpret_answer(int status, std::string_view body, std::span<const Record> batch) {
  if (status < 200 || status > 299) return DeliveryOutcome::failed(status_error(status, body));
  auto failed = parse_batch_item_failures(body, batch);
  if (!failed) return DeliveryOutcome::failed(std::move(failed.error()));

  DeliveryOutcome outcome;
  outcome.accepted = batch.size();
  outcome.delivered.reserve(batch.size() - failed->size());
  auto next_failure = failed->begin();
  for (size_t i = 0; i < batch.size(); ++i) {
    if (next_failure != failed->end() && *next_failure == i) {
      outcome.failed_items.push_back(
          {.index = i, .error = Error::retriable("the target reported this record as failed")});
      ++next_failure;
    } else {
      outcome.delivered.push_back(batch[i].ordinal);
    }
  }
  return outcome;
}

}  // namespace shardpipe
