#include "enrich/enriching_target.hpp"

#include <fmt/format.h>

#include "enrich/command_enricher.hpp"
#include "enrich/enriching_sink.hpp"
#include "enrich/http_enricher.hpp"

namespace shardpipe {

EnrichingTarget::EnrichingTarget(EnricherFactory make_enricher, std::unique_ptr<Target> inner)
    : make_enricher_(std::move(make_enricher)), inner_(std::move(inner)) {}

Result<std::unique_ptr<ShardSink>> EnrichingTarget::open_shard(const std::string& shard_id) {
  auto sink = inner_->open_shard(shard_id);
  if (!sink) return fail(std::move(sink.error()));
  return std::make_unique<EnrichingSink>(make_enricher_(shard_id), std::move(*sink));
}

Result<std::unique_ptr<Target>> make_enriching_target(const config::EnrichmentConfig& config,
                                                      std::unique_ptr<Target> inner) {
  Result<EnricherFactory> factory =
      fail(Error::fatal(fmt::format("enrichment.type: {} is not available", config.type)));
  if (config.type == "http") factory = http_enricher_factory(config);
  if (config.type == "command") factory = command_enricher_factory(config);
  if (!factory) return fail(std::move(factory.error()));
  return std::make_unique<EnrichingTarget>(std::move(*factory), std::move(inner));
}

}  // namespace shardpipe
