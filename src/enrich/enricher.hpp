// What an enrichment does for one batch: it returns the batch's new envelopes, one per record
// and in the same order, or why it could not (which fails the whole batch).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/record.hpp"
#include "core/result.hpp"

namespace shardpipe {

class Enricher {
 public:
  virtual ~Enricher() = default;
  // `batch` is never empty. Each returned envelope is one compact JSON value.
  virtual Result<std::vector<std::string>> enrich(std::span<const Record> batch) = 0;
};

// Makes one enricher per shard sink (named by its shard): a sink is used by one thread, and so is
// its enricher.
using EnricherFactory = std::function<std::unique_ptr<Enricher>(const std::string& shard_id)>;

}  // namespace shardpipe
