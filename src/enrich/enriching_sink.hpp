// A sink that enriches each batch before handing it to the sink it wraps.
//
// The inner sink receives copies of the records, in the same order and with the same ordinals,
// whose envelopes the enricher replaced: its partial-failure indexes and delivered ordinals hold
// for the batch the engine offered, so the engine neither knows nor cares about the enrichment.
// A failed enrichment fails the whole batch (nothing accepted), and the engine retries it like a
// failed delivery: a retry enriches again, and dead letters carry the records as they were read.
#pragma once

#include <memory>

#include "enrich/enricher.hpp"
#include "targets/target.hpp"

namespace shardpipe {

class EnrichingSink final : public ShardSink {
 public:
  EnrichingSink(std::unique_ptr<Enricher> enricher, std::unique_ptr<ShardSink> inner);

  DeliveryOutcome deliver(std::span<const Record> batch) override;
  DeliveryOutcome flush() override { return inner_->flush(); }
  size_t pending() const override { return inner_->pending(); }
  bool buffering() const override { return inner_->buffering(); }
  Status close(CloseReason reason) override { return inner_->close(reason); }

 private:
  std::unique_ptr<Enricher> enricher_;
  std::unique_ptr<ShardSink> inner_;
};

}  // namespace shardpipe
