// A target that enriches every batch before the target it wraps receives it (see
// enriching_sink.hpp). The engine sees it as any other target.
#pragma once

#include <memory>
#include <string>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "enrich/enricher.hpp"
#include "targets/target.hpp"

namespace shardpipe {

class EnrichingTarget final : public Target {
 public:
  EnrichingTarget(EnricherFactory make_enricher, std::unique_ptr<Target> inner);
  // The inner target's sink for the shard, wrapped with an enricher of its own.
  Result<std::unique_ptr<ShardSink>> open_shard(const std::string& shard_id) override;

 private:
  EnricherFactory make_enricher_;
  std::unique_ptr<Target> inner_;
};

// `inner` wrapped in the enrichment `config` describes. A configuration that cannot be used
// (an unset ${NAME} in a header, ...) is a fatal error.
Result<std::unique_ptr<Target>> make_enriching_target(const config::EnrichmentConfig& config,
                                                      std::unique_ptr<Target> inner);

}  // namespace shardpipe
