// The `source` section: which stream to read and how records are batched.
#include "config/kafka_safety.hpp"
#include "config/properties.hpp"
#include "config/property_store.hpp"

namespace shardpipe::config {
namespace {

constexpr Choice<StartingPosition> kStartingPositions[] = {
    {"TRIM_HORIZON", StartingPosition::trim_horizon},
    {"LATEST", StartingPosition::latest},
    {"AT_TIMESTAMP", StartingPosition::at_timestamp},
};

// Child shards open at a known moment, so a timestamp makes no sense for them.
constexpr Choice<StartingPosition> kChildShardPositions[] = {
    {"TRIM_HORIZON", StartingPosition::trim_horizon},
    {"LATEST", StartingPosition::latest},
};

constexpr Choice<DataEncoding> kDataEncodings[] = {
    {"base64", DataEncoding::base64},
    {"json", DataEncoding::json},
    {"text", DataEncoding::text},
};

constexpr Choice<KeyEncoding> kKeyEncodings[] = {
    {"text", KeyEncoding::text},
    {"base64", KeyEncoding::base64},
};

constexpr Choice<OnDecodeError> kDecodeErrorActions[] = {
    {"dead_letter", OnDecodeError::dead_letter},
    {"fail", OnDecodeError::fail},
};

}  // namespace

std::span<const Property> source_properties() {
  static const std::vector<Property> table = {
      {.key = "type",
       .type = ValueType::enumeration,
       .default_text = "local",
       .allowed = {"local", "kafka", "kinesis", "dynamodb_streams"},
       .description = "The kind of stream: the embedded local log, Apache Kafka, Amazon Kinesis "
                      "Data Streams or Amazon DynamoDB Streams.",
       .example = "kinesis",
       .store = member(&SourceConfig::type)},
      {.key = "path",
       .type = ValueType::path,
       .applies_to = {"local"},
       .required = true,
       .description = "The folder of the local log (made by `shardpipe log create`).",
       .example = "./data/orders",
       .store = member(&SourceConfig::path)},
      {.key = "bootstrap_servers",
       .type = ValueType::comma_list,
       .applies_to = {"kafka"},
       .required = true,
       .description = "The Kafka brokers to connect to first, as host:port.",
       .example = "[broker1:9092, broker2:9092]",
       .store = member(&SourceConfig::bootstrap_servers)},
      {.key = "topics",
       .type = ValueType::comma_list,
       .applies_to = {"kafka"},
       .required = true,
       .description = "The topics to read.",
       .example = "[orders, payments]",
       .store = member(&SourceConfig::topics)},
      {.key = "consumer_group",
       .type = ValueType::string,
       .default_text = "the pipe's name",
       .applies_to = {"kafka"},
       .description = "The Kafka consumer group; offsets are committed to it, where Kafka's own "
                      "tools see them.",
       .example = "orders-to-warehouse",
       .store = member(&SourceConfig::consumer_group)},
      {.key = "properties",
       .type = ValueType::string_map,
       .default_text = "{}",
       .applies_to = {"kafka"},
       .description = "librdkafka configuration properties of the consumer, passed through as "
                      "they are (${NAME} takes a value from the environment). Offsets are stored "
                      "only once records are handled and committed by librdkafka, which may not "
                      "be changed; the group is consumer_group.",
       .example = "{ security.protocol: SASL_SSL, fetch.wait.max.ms: 50 }",
       .store = member(&SourceConfig::properties),
       .check = [](const Value& value) { return check_kafka_safety(value, kafka_consumer_safety); },
       .rule = "enable.auto.offset.store stays false and enable.auto.commit stays true"},
      {.key = "key_encoding",
       .type = ValueType::enumeration,
       .default_text = "text",
       .allowed = names_of(kKeyEncodings),
       .applies_to = {"kafka"},
       .description = "How a message key appears in the envelope: text (as a string when it is "
                      "valid UTF-8, else base64 with \"keyEncoding\":\"base64\") or base64.",
       .example = "base64",
       .store = enum_member(&SourceConfig::key_encoding, kKeyEncodings)},
      {.key = "stream",
       .type = ValueType::string,
       .applies_to = {"kinesis", "dynamodb_streams"},
       .required = true,
       .description = "The stream's name or ARN.",
       .example = "orders-stream",
       .store = member(&SourceConfig::stream)},
      {.key = "region",
       .type = ValueType::string,
       .default_text = "from the AWS environment",
       .applies_to = {"kinesis", "dynamodb_streams"},
       .description = "The AWS region. Without it, the standard AWS environment variables or "
                      "shared config files decide, as they do for credentials.",
       .example = "eu-west-1",
       .store = member(&SourceConfig::region)},
      {.key = "endpoint",
       .type = ValueType::string,
       .default_text = "the region's AWS endpoint",
       .applies_to = {"kinesis", "dynamodb_streams"},
       .description = "Overrides the service URL, e.g. for a local emulator.",
       .example = "http://127.0.0.1:4567",
       .store = member(&SourceConfig::endpoint)},
      {.key = "starting_position",
       .type = ValueType::enumeration,
       .default_text = "TRIM_HORIZON",
       .allowed = names_of(kStartingPositions),
       .description = "Where a shard without a checkpoint starts: the oldest record kept, the "
                      "newest, or the first at or after starting_position_timestamp. LATEST may "
                      "skip records written while the pipe starts; TRIM_HORIZON misses none.",
       .example = "LATEST",
       .store = enum_member(&SourceConfig::starting_position, kStartingPositions)},
      {.key = "starting_position_timestamp",
       .type = ValueType::rfc3339,
       .default_text = "null",
       .description = "The RFC 3339 timestamp to start at; required with AT_TIMESTAMP and only "
                      "allowed with it.",
       .example = "2026-11-22T10:00:00Z",
       .store =
           [](PipeConfig& pipe, const Value& value) {
             const auto& timestamp = std::get<Timestamp>(value);
             pipe.source.starting_position_timestamp = timestamp.text;
             pipe.source.starting_position_timestamp_ms = timestamp.unix_ms;
           }},
      {.key = "child_shard_position",
       .type = ValueType::enumeration,
       .default_text = "TRIM_HORIZON",
       .allowed = names_of(kChildShardPositions),
       .description = "Where shards born of a split or merge start once their parents are "
                      "finished. LATEST suits pipes that only want live data after a reshard.",
       .example = "LATEST",
       .store = enum_member(&SourceConfig::child_shard_position, kChildShardPositions)},
      {.key = "batch_size",
       .type = ValueType::integer,
       .default_text = "100",
       .bounds = {.min = 1, .max = 10'000},
       .description = "The most records a batch holds; a full batch is sent at once.",
       .example = "500",
       .store = member(&SourceConfig::batch_size)},
      {.key = "maximum_batching_window",
       .type = ValueType::duration,
       .default_text = "0s",
       .bounds = {.min = 0, .max = 300'000},
       .description = "How long records are gathered before a batch that is not full is sent.",
       .example = "5s",
       .store = member(&SourceConfig::maximum_batching_window)},
      {.key = "maximum_batch_bytes",
       .type = ValueType::size,
       .default_text = "6MiB",
       .bounds = {.min = 1, .max = int64_t{1} << 30},
       .description = "The largest payload a batch may have; a batch is sent before it grows "
                      "past this.",
       .example = "1MiB",
       .store = member(&SourceConfig::maximum_batch_bytes)},
      {.key = "parallelization_factor",
       .type = ValueType::integer,
       .default_text = "1",
       .bounds = {.min = 1, .max = 10},
       .description = "How many batches of one shard are delivered at once; order is kept per "
                      "partition key.",
       .example = "4",
       .store = member(&SourceConfig::parallelization_factor)},
      {.key = "max_in_flight_records",
       .type = ValueType::integer,
       .default_text = "100000",
       .bounds = {.min = 1, .max = 10'000'000},
       .description = "The most records the pipe holds read but not yet handled, across all its "
                      "shards. Reading pauses at the cap, so a slow target slows reading instead "
                      "of growing memory.",
       .example = "20000",
       .store = member(&SourceConfig::max_in_flight_records)},
      {.key = "max_in_flight_bytes",
       .type = ValueType::size,
       .default_text = "64MiB",
       .bounds = {.min = 1024 * 1024, .max = int64_t{16} << 30},
       .description = "The most memory, in record bytes, the pipe holds read but not yet "
                      "handled, across all its shards; with max_in_flight_records it bounds the "
                      "pipe's memory.",
       .example = "256MiB",
       .store = member(&SourceConfig::max_in_flight_bytes)},
      {.key = "data_encoding",
       .type = ValueType::enumeration,
       .default_text = "base64",
       .allowed = names_of(kDataEncodings),
       .description = "How record data (a Kafka message's value) appears in the envelope: "
                      "base64 of the bytes, parsed JSON, or a UTF-8 string.",
       .example = "json",
       .store = enum_member(&SourceConfig::data_encoding, kDataEncodings)},
      {.key = "on_decode_error",
       .type = ValueType::enumeration,
       .default_text = "dead_letter",
       .allowed = names_of(kDecodeErrorActions),
       .description = "What happens to a record whose data cannot be decoded as data_encoding "
                      "says: it goes to the dead letters with its raw bytes, or the pipe stops.",
       .example = "fail",
       .store = enum_member(&SourceConfig::on_decode_error, kDecodeErrorActions)},
  };
  return table;
}

}  // namespace shardpipe::config
