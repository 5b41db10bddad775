#include "enrich/enriching_sink.hpp"

#include <fmt/format.h>

#include <vector>

namespace shardpipe {
namespace {

// The batch failed before the inner sink saw it: the records' failure, whatever the sink.
DeliveryOutcome refused(Error error) {
  auto outcome = DeliveryOutcome::failed(std::move(error));
  outcome.refused_before_buffering = true;
  return outcome;
}

}  // namespace

EnrichingSink::EnrichingSink(std::unique_ptr<Enricher> enricher, std::unique_ptr<ShardSink> inner)
    : enricher_(std::move(enricher)), inner_(std::move(inner)) {}

DeliveryOutcome EnrichingSink::deliver(std::span<const Record> batch) {
  if (batch.empty()) return inner_->deliver(batch);
  auto envelopes = enricher_->enrich(batch);
  if (!envelopes) return refused(std::move(envelopes.error()));
  // Checked here too, whatever the enricher, since the inner sink's indexes depend on it.
  if (envelopes->size() != batch.size()) {
    return refused(Error::retriable(fmt::format(
        "the enrichment returned {} records for a batch of {}", envelopes->size(), batch.size())));
  }
  std::vector<Record> enriched(batch.begin(), batch.end());
  for (size_t i = 0; i < enriched.size(); ++i) enriched[i].envelope = std::move((*envelopes)[i]);
  return inner_->deliver(enriched);
}

}  // namespace shardpipe
