#include "sources/source_factory.hpp"

#include <fmt/format.h>

#include "sources/dynamodb/dynamodb_streams_source.hpp"
#include "sources/kafka/committed_offsets_store.hpp"
#include "sources/kafka/kafka_source.hpp"
#include "sources/kinesis/kinesis_source.hpp"
#include "sources/local_source.hpp"

namespace shardpipe {

Result<std::unique_ptr<Source>> make_source(const config::SourceConfig& config) {
  if (config.type == "local") return make_local_source(config.path, config.data_encoding);
  if (config.type == "kafka") return make_kafka_source(config);
  if (config.type == "kinesis") return make_kinesis_source(config);
  if (config.type == "dynamodb_streams") return make_dynamodb_streams_source(config);
  return fail(
      Error::fatal(fmt::format("source type '{}' is not available in this build yet (available: "
                               "local, kafka, kinesis, dynamodb_streams)",
                               config.type)));
}

Result<std::unique_ptr<coordination::CheckpointStore>> open_pipe_checkpoints(
    const config::PipeConfig& pipe) {
  if (pipe.source.type == "kafka") return kafka::open_committed_offsets_store(pipe.source);
  return coordination::open_checkpoint_store(pipe.checkpoint.store, pipe.name);
}

}  // namespace shardpipe
