// The http enrichment: each batch is POSTed, exactly as the http target would send it, and the
// answer's JSON array replaces the records (see enrichment_answer.hpp and docs/filtering.md).
#pragma once

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "enrich/enricher.hpp"

namespace shardpipe {

// Expands `${NAME}` references in the header values once, here; an unset variable or a header
// that cannot be sent is a fatal configuration error. Each enricher made owns its own HTTP
// client, so a shard's keep-alive connection is reused.
Result<EnricherFactory> http_enricher_factory(const config::EnrichmentConfig& config);

}  // namespace shardpipe
