#include "enrich/command_enricher.hpp"

#include "enrich/enrichment_answer.hpp"
#include "targets/command/processor_protocol.hpp"
#include "targets/command/record_processor.hpp"

namespace shardpipe {
namespace {

namespace protocol = processor_protocol;

class CommandEnricher final : public Enricher {
 public:
  CommandEnricher(std::shared_ptr<const RecordProcessorSettings> settings, std::string shard_id)
      : processor_(std::move(settings), std::move(shard_id)) {}

  Result<std::vector<std::string>> enrich(std::span<const Record> batch) override {
    if (auto running = processor_.ensure_running(); !running) return fail(running.error());
    auto reply =
        processor_.exchange(protocol::enrich_records_message(batch), protocol::enrich_records);
    if (!reply) return fail(reply.error());
    auto envelopes = read_enrichment_reply(*reply, batch.size(), processor_.name());
    if (envelopes) processor_.succeeded();
    return envelopes;
  }

 private:
  RecordProcessor processor_;  // its input is closed when the shard's sink goes
};

}  // namespace

Result<EnricherFactory> command_enricher_factory(const config::EnrichmentConfig& config) {
  if (config.command.empty()) {
    return fail(Error::fatal("enrichment.command must name the enrichment processor to run"));
  }
  auto settings = std::make_shared<const RecordProcessorSettings>(RecordProcessorSettings{
      config.command, config.base_dir, config.timeout, "enrichment processor"});
  return EnricherFactory([settings](const std::string& shard_id) {
    return std::make_unique<CommandEnricher>(settings, shard_id);
  });
}

}  // namespace shardpipe
