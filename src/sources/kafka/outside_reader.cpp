#include "sources/kafka/outside_reader.hpp"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <vector>

#include "kafka/client_config.hpp"
#include "sources/kafka/consumed_message.hpp"

namespace shardpipe::kafka {
namespace {

using namespace std::chrono_literals;

// How long a read waits for the broker before it gives up: far above a fetch's round trip.
constexpr auto answer_deadline = 30s;
constexpr int consume_wait_ms = 100;

}  // namespace

Result<std::unique_ptr<ShardReader>> OutsideReader::open(const config::SourceConfig& source,
                                                         const TopicPartition& partition,
                                                         int64_t start_offset) {
  ClientSettings settings{
      .what = "source.properties",
      .bootstrap_servers = source.bootstrap_servers,
      .properties = source.properties,
      .protected_settings = {},
      .defaults = {},
  };
  // The pipe's own properties (security, fetch sizes) apply. No group: nothing to join, and no
  // offset can ever be committed for the pipe's group.
  settings.properties.erase("group.id");
  settings.properties.erase("group.instance.id");
  settings.properties["enable.auto.commit"] = "false";
  settings.properties["enable.auto.offset.store"] = "false";
  settings.properties["enable.partition.eof"] = "true";  // how a read knows it reached the end
  auto consumer = new_consumer(settings);
  if (!consumer) return fail(consumer.error());
  rd_kafka_t* handle = *consumer;
  rd_kafka_topic_t* topic = rd_kafka_topic_new(handle, partition.topic.c_str(), nullptr);
  if (!topic) {
    auto reason = rd_kafka_err2str(rd_kafka_last_error());
    rd_kafka_destroy(handle);
    return fail(Error::fatal(fmt::format("kafka: topic {}: {}", partition.topic, reason)));
  }
  if (rd_kafka_consume_start(topic, partition.partition, start_offset) != 0) {
    auto reason = rd_kafka_err2str(rd_kafka_last_error());
    rd_kafka_topic_destroy(topic);
    rd_kafka_destroy(handle);
    return fail(Error::retriable(
        fmt::format("kafka: starting to read {}: {}", partition.shard_id(), reason)));
  }
  KafkaEnvelopeWriter writer(join_servers(source.bootstrap_servers), partition.topic,
                             partition.partition, source.data_encoding, source.key_encoding);
  return std::unique_ptr<ShardReader>(
      new OutsideReader(handle, topic, partition, std::move(writer)));
}

OutsideReader::OutsideReader(rd_kafka_s* handle, rd_kafka_topic_s* topic, TopicPartition partition,
                             KafkaEnvelopeWriter writer)
    : handle_(handle),
      topic_(topic),
      partition_(std::move(partition)),
      writer_(std::move(writer)) {}

OutsideReader::~OutsideReader() {
  rd_kafka_consume_stop(topic_, partition_.partition);
  rd_kafka_topic_destroy(topic_);
  rd_kafka_destroy(handle_);
}

Result<ReadBatch> OutsideReader::read(size_t max_records, size_t max_bytes) {
  ReadBatch batch;
  if (at_end_ || max_records == 0) return batch;
  std::vector<rd_kafka_message_t*> polled(max_records);
  size_t bytes = 0;
  auto deadline = std::chrono::steady_clock::now() + answer_deadline;
  // Until something arrived or the end: an empty batch means the end to the caller.
  while (batch.records.empty() && !at_end_) {
    size_t wanted = std::min(max_records - batch.records.size(), polled.size());
    ssize_t count = rd_kafka_consume_batch(topic_, partition_.partition, consume_wait_ms,
                                           polled.data(), wanted);
    if (count < 0) {
      return fail(Error::retriable(fmt::format("kafka: reading {}: {}", partition_.shard_id(),
                                               rd_kafka_err2str(rd_kafka_last_error()))));
    }
    std::optional<Error> failed;
    for (ssize_t i = 0; i < count; ++i) {
      ConsumedMessage message(polled[static_cast<size_t>(i)]);
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        at_end_ = true;
      } else if (message->err) {
        if (!failed) {
          failed = Error::retriable(fmt::format("kafka: reading {}: {}", partition_.shard_id(),
                                                rd_kafka_message_errstr(message.get())));
        }
      } else if (!failed && !at_end_) {  // what arrived after the end is past what verify reads
        bytes += bytes_of(message);
        batch.records.push_back(writer_.render(view_of(message)));
      }
    }
    if (failed) return fail(*failed);
    if (bytes >= max_bytes) break;
    if (batch.records.empty() && std::chrono::steady_clock::now() >= deadline) {
      return fail(Error::retriable(fmt::format("kafka: no answer for {} within {} s",
                                               partition_.shard_id(), answer_deadline.count())));
    }
  }
  return batch;
}

}  // namespace shardpipe::kafka
