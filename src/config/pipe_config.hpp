// The pipe file (CONTRACT section 2) as typed values. Defaults here are the contract's defaults;
// the loader (loader.hpp) fills this from YAML through the property tables in properties.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shardpipe::config {

using Duration = std::chrono::milliseconds;

enum class StartingPosition { trim_horizon, latest, at_timestamp };
enum class DataEncoding { base64, json, text };
enum class KeyEncoding { text, base64 };
enum class OnDecodeError { dead_letter, fail };

struct SourceConfig {
  std::string type = "local";  // local | kafka | kinesis | dynamodb_streams
  // local
  std::filesystem::path path;  // resolved against the pipe file's folder
  // kafka
  std::vector<std::string> bootstrap_servers;
  std::vector<std::string> topics;
  std::string consumer_group;  // default: the pipe's name
  std::map<std::string, std::string> properties;
  KeyEncoding key_encoding = KeyEncoding::text;
  // kinesis / dynamodb_streams
  std::string stream;
  std::string region;
  std::string endpoint;
  // every source
  StartingPosition starting_position = StartingPosition::trim_horizon;
  std::optional<std::string> starting_position_timestamp;  // RFC 3339 as written
  int64_t starting_position_timestamp_ms = 0;              // parsed, Unix milliseconds
  StartingPosition child_shard_position = StartingPosition::trim_horizon;
  int batch_size = 100;
  Duration maximum_batching_window{0};
  uint64_t maximum_batch_bytes = 6ull * 1024 * 1024;
  int parallelization_factor = 1;
  int max_in_flight_records = 100'000;  // read but not yet handled, across the pipe
  uint64_t max_in_flight_bytes = 64ull * 1024 * 1024;
  DataEncoding data_encoding = DataEncoding::base64;
  OnDecodeError on_decode_error = OnDecodeError::dead_letter;
};

struct TargetConfig {
  std::string type = "file";  // stdout | file | http | command | kafka | kinesis | postgres | s3
  std::filesystem::path base_dir;  // the pipe file's folder: where a command target runs
  // file
  std::filesystem::path path;
  int records_per_file = 5000;
  // http
  std::string url;
  std::map<std::string, std::string> headers;
  Duration timeout{30000};
  // command
  std::vector<std::string> command;
  // kafka
  std::vector<std::string> bootstrap_servers;
  std::string topic;
  std::string key_field;
  bool exactly_once = false;
  std::map<std::string, std::string> properties;
  // kinesis
  std::string stream;
  std::string region;
  std::string endpoint;
  std::string partition_key_field;
  // postgres
  std::string dsn;
  std::string table;
  std::string mode = "insert";  // insert | mirror
  // s3
  std::string bucket;
  std::string prefix;
  int records_per_object = 5000;
  std::string compression = "none";  // none | gzip | zstd
};

// An enrichment called for each batch between the transform and the target (docs/filtering.md).
struct EnrichmentConfig {
  std::string type = "http";  // http | command
  std::string url;
  std::map<std::string, std::string> headers;  // may hold ${ENV} references
  std::vector<std::string> command;            // argv of the enrichment processor
  Duration timeout{10000};
  std::filesystem::path base_dir;  // the pipe file's folder: the processor's working directory
};

struct RetryConfig {
  int maximum_retry_attempts = -1;             // -1: until maximum_record_age
  std::optional<Duration> maximum_record_age;  // nullopt: forever (-1 in the file)
  bool bisect_batch_on_error = false;
  Duration backoff_initial{100};
  Duration backoff_max{30000};
};

struct DeadLetterConfig {
  std::string type = "file";  // file | kafka | http
  std::filesystem::path path;
  std::string url;
  std::vector<std::string> bootstrap_servers;
  std::string topic;
  std::map<std::string, std::string> properties;  // librdkafka's, passed through
};

struct CheckpointConfig {
  std::string store;  // "sqlite:<absolute path>" after loading, or a postgresql:// URL
  Duration lease_duration{10000};
};

struct MetricsConfig {
  std::string listen = "127.0.0.1:9464";  // "off" or empty: no endpoint
  std::string bearer_token;               // may hold ${ENV} references; empty: none required
};

struct PipeConfig {
  std::string name;
  std::filesystem::path file;      // the pipe file itself
  std::filesystem::path base_dir;  // its folder: relative paths are resolved against it
  SourceConfig source;
  std::vector<std::string> filter_patterns;  // each pattern as compact JSON text
  std::optional<std::string> transform;      // the template as written
  std::optional<EnrichmentConfig> enrichment;
  TargetConfig target;
  RetryConfig retry;
  std::optional<DeadLetterConfig> dead_letter;
  CheckpointConfig checkpoint;
  MetricsConfig metrics;
  Duration shutdown_timeout{30000};
};

}  // namespace shardpipe::config
