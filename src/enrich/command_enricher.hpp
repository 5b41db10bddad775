// The command enrichment: each batch goes to a record processor (docs/command-target.md) as an
// `enrichRecords` message, and the `records` of its reply replace the batch's records
// (docs/filtering.md, "Enrichment"). One processor per shard sink, started at the first batch,
// restarted with backoff after a crash, a time-out or a reply out of step.
#pragma once

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "enrich/enricher.hpp"

namespace shardpipe {

// Uses `command` (argv), `timeout` (how long one reply may take) and `base_dir` (the processor's
// working directory) of `config`.
Result<EnricherFactory> command_enricher_factory(const config::EnrichmentConfig& config);

}  // namespace shardpipe
