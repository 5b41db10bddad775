// Pipe files that load: the contract's example, defaults, every kind of value, path resolution.
#include "config/loader.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/units.hpp"
#include "test_support.hpp"

namespace shardpipe::config {
namespace {

using std::chrono::milliseconds;
using test_support::fixture;
using test_support::formatted;
using test_support::kPipeFile;
using ::testing::ElementsAre;

PipeConfig load_ok(const std::filesystem::path& file) {
  LoadResult result = load_pipe_file(file);
  EXPECT_THAT(formatted(result), ::testing::IsEmpty());
  EXPECT_TRUE(result.config.has_value());
  return result.config.value_or(PipeConfig{});
}

PipeConfig load_text_ok(std::string_view yaml, const std::filesystem::path& file = kPipeFile) {
  LoadResult result = load_pipe_text(yaml, file);
  EXPECT_THAT(formatted(result), ::testing::IsEmpty());
  EXPECT_TRUE(result.config.has_value());
  return result.config.value_or(PipeConfig{});
}

// The values CONTRACT section 2 writes, which are also the defaults.
void expect_contract_defaults(const PipeConfig& config) {
  const SourceConfig& source = config.source;
  EXPECT_EQ(source.type, "local");
  EXPECT_EQ(source.starting_position, StartingPosition::trim_horizon);
  EXPECT_EQ(source.starting_position_timestamp, std::nullopt);
  EXPECT_EQ(source.child_shard_position, StartingPosition::trim_horizon);
  EXPECT_EQ(source.batch_size, 100);
  EXPECT_EQ(source.maximum_batching_window, milliseconds{0});
  EXPECT_EQ(source.maximum_batch_bytes, 6ull * 1024 * 1024);
  EXPECT_EQ(source.parallelization_factor, 1);
  EXPECT_EQ(source.data_encoding, DataEncoding::base64);
  EXPECT_EQ(source.on_decode_error, OnDecodeError::dead_letter);
  EXPECT_EQ(config.transform, std::nullopt);
  EXPECT_EQ(config.retry.maximum_retry_attempts, -1);
  EXPECT_EQ(config.retry.maximum_record_age, std::nullopt);
  EXPECT_FALSE(config.retry.bisect_batch_on_error);
  EXPECT_EQ(config.retry.backoff_initial, milliseconds{100});
  EXPECT_EQ(config.retry.backoff_max, milliseconds{30'000});
  EXPECT_EQ(config.checkpoint.lease_duration, milliseconds{10'000});
  EXPECT_EQ(config.metrics.listen, "127.0.0.1:9464");
  EXPECT_EQ(config.shutdown_timeout, milliseconds{30'000});
}

TEST(LoadPipeFile, LoadsTheContractExample) {
  std::filesystem::path file = fixture("contract_example.yaml");
  PipeConfig config = load_ok(file);
  std::filesystem::path folder = file.parent_path();

  EXPECT_EQ(config.name, "orders");
  EXPECT_EQ(config.file, file);
  EXPECT_EQ(config.base_dir, folder);
  EXPECT_EQ(config.source.path, folder / "data/orders");
  EXPECT_THAT(config.filter_patterns, ElementsAre(R"({"data":{"status":["paid"]}})"));
  EXPECT_EQ(config.target.type, "file");
  EXPECT_EQ(config.target.path, folder / "out");
  EXPECT_EQ(config.target.records_per_file, 5000);
  ASSERT_TRUE(config.dead_letter.has_value());
  EXPECT_EQ(config.dead_letter->type, "file");
  EXPECT_EQ(config.dead_letter->path, folder / "dlq");
  EXPECT_EQ(config.checkpoint.store, "sqlite:" + (folder / "state/orders.db").string());
  expect_contract_defaults(config);
}

TEST(LoadPipeFile, DefaultsAreTheContractValues) {
  std::filesystem::path file = fixture("minimal.yaml");
  PipeConfig config = load_ok(file);
  std::filesystem::path folder = file.parent_path();

  expect_contract_defaults(config);
  EXPECT_TRUE(config.filter_patterns.empty());
  EXPECT_FALSE(config.dead_letter.has_value());
  EXPECT_EQ(config.source.consumer_group, "orders");
  EXPECT_EQ(config.checkpoint.store, "sqlite:" + (folder / "state/orders.db").string());
  EXPECT_EQ(config.target.type, "stdout");
}

TEST(LoadPipeFile, LoadsEveryKindOfValue) {
  PipeConfig config = load_ok(fixture("kafka_to_http.yaml"));

  const SourceConfig& source = config.source;
  EXPECT_EQ(source.type, "kafka");
  EXPECT_THAT(source.bootstrap_servers, ElementsAre("broker1:9092", "broker2:9092"));
  EXPECT_THAT(source.topics, ElementsAre("payments", "refunds"));
  EXPECT_EQ(source.consumer_group, "payments-v2");
  EXPECT_EQ(source.properties,
            (std::map<std::string, std::string>{{"fetch.wait.max.ms", "50"},
                                                {"security.protocol", "SASL_SSL"}}));
  EXPECT_EQ(source.key_encoding, KeyEncoding::base64);
  EXPECT_EQ(source.starting_position, StartingPosition::at_timestamp);
  EXPECT_EQ(source.starting_position_timestamp, "2026-11-22T12:00:00.250+02:00");
  EXPECT_EQ(source.starting_position_timestamp_ms, 1'795'341'600'250);
  EXPECT_EQ(source.data_encoding, DataEncoding::json);

  // Plain scalars become JSON numbers, booleans and null; quoted ones stay strings.
  EXPECT_THAT(
      config.filter_patterns,
      ElementsAre(R"({"value":{"amount":[{"numeric":[">",100]}]}})",
                  R"({"value":{"currency":["EUR","007"],"refunded":[false],"note":[null]}})"));
  EXPECT_EQ(config.transform, R"({"id":"<$.eventID>","amount":"<$.value.amount>"})");

  const TargetConfig& target = config.target;
  EXPECT_EQ(target.type, "http");
  EXPECT_EQ(target.url, "https://hooks.example.com/payments");
  EXPECT_EQ(target.headers, (std::map<std::string, std::string>{{"Authorization", "Bearer abc123"},
                                                                {"X-Retry", "3"}}));
  EXPECT_EQ(target.timeout, milliseconds{5'000});

  EXPECT_EQ(config.retry.maximum_retry_attempts, 10);
  EXPECT_EQ(config.retry.maximum_record_age, milliseconds{3'600'000});
  EXPECT_TRUE(config.retry.bisect_batch_on_error);
  EXPECT_EQ(config.retry.backoff_initial, milliseconds{250});
  EXPECT_EQ(config.retry.backoff_max, milliseconds{60'000});

  ASSERT_TRUE(config.dead_letter.has_value());
  EXPECT_EQ(config.dead_letter->type, "kafka");
  EXPECT_THAT(config.dead_letter->bootstrap_servers, ElementsAre("broker1:9092"));
  EXPECT_EQ(config.dead_letter->topic, "payments-dlq");

  EXPECT_EQ(config.checkpoint.store, "postgresql://shardpipe@127.0.0.1:5432/pipes");
  EXPECT_EQ(config.checkpoint.lease_duration, milliseconds{30'000});
  EXPECT_EQ(config.metrics.listen, "0.0.0.0:9100");
  EXPECT_EQ(config.shutdown_timeout, milliseconds{60'000});
}

TEST(LoadPipeText, ResolvesPathsAgainstThePipeFilesFolder) {
  PipeConfig config = load_text_ok(R"(name: orders
source: { path: ../logs/./orders }
target: { type: file, path: out }
dead_letter: { path: /var/lib/dlq/../dlq }
checkpoint: { store: "sqlite:state/x.db" }
)");
  EXPECT_EQ(config.file, "/srv/pipes/orders.yaml");
  EXPECT_EQ(config.base_dir, "/srv/pipes");
  EXPECT_EQ(config.source.path, "/srv/logs/orders");
  EXPECT_EQ(config.target.path, "/srv/pipes/out");
  EXPECT_EQ(config.dead_letter->path, "/var/lib/dlq");
  EXPECT_EQ(config.checkpoint.store, "sqlite:/srv/pipes/state/x.db");
}

TEST(LoadPipeText, KeepsAbsoluteStorePaths) {
  PipeConfig config = load_text_ok(R"(name: orders
source: { path: /data/orders }
target: { type: stdout }
checkpoint: { store: "sqlite:/var/lib/shardpipe/../shardpipe/orders.db" }
)");
  EXPECT_EQ(config.source.path, "/data/orders");
  EXPECT_EQ(config.checkpoint.store, "sqlite:/var/lib/shardpipe/orders.db");
}

TEST(LoadPipeText, DefaultStoreIsNamedAfterThePipe) {
  PipeConfig config = load_text_ok(R"(name: billing_2
source: { path: ./log }
target: { type: stdout }
)");
  EXPECT_EQ(config.checkpoint.store, "sqlite:/srv/pipes/state/billing_2.db");
}

TEST(LoadPipeText, ResolvesARelativePipeFileNameToAnAbsoluteFolder) {
  PipeConfig config =
      load_text_ok("name: a\nsource: { path: log }\ntarget: { type: stdout }\n", "pipes/a.yaml");
  std::filesystem::path folder = (std::filesystem::current_path() / "pipes").lexically_normal();
  EXPECT_EQ(config.base_dir, folder);
  EXPECT_EQ(config.source.path, folder / "log");
}

TEST(LoadPipeText, NullKeepsTheDefault) {
  PipeConfig config = load_text_ok(R"(name: orders
source:
  path: ./log
  batch_size:
  starting_position_timestamp: null
transform: ~
target: { type: stdout }
retry: null
dead_letter:
)");
  EXPECT_EQ(config.source.batch_size, 100);
  EXPECT_EQ(config.transform, std::nullopt);
  EXPECT_FALSE(config.dead_letter.has_value());
}

TEST(LoadPipeText, AcceptsBootstrapServersAsAListOrACommaSeparatedString) {
  constexpr std::string_view kTemplate = R"(name: k
source: {{ type: kafka, bootstrap_servers: {}, topics: orders }}
target: {{ type: stdout }}
)";
  for (std::string_view servers :
       {"[a:9092, b:9092]", "\"a:9092,b:9092\"", "\"a:9092, b:9092,\""}) {
    PipeConfig config = load_text_ok(fmt::format(fmt::runtime(kTemplate), servers));
    EXPECT_THAT(config.source.bootstrap_servers, ElementsAre("a:9092", "b:9092")) << servers;
    EXPECT_THAT(config.source.topics, ElementsAre("orders"));
  }
}

TEST(LoadPipeText, KeepsAStringTransformAsWritten) {
  PipeConfig config = load_text_ok(R"(name: orders
source: { path: ./log }
transform: '{"id": <$.eventID>}'
target: { type: stdout }
)");
  EXPECT_EQ(config.transform, R"({"id": <$.eventID>})");
}

TEST(LoadPipeText, ReadsAtTimestampForKinesis) {
  PipeConfig config = load_text_ok(R"(name: clicks
source:
  type: kinesis
  stream: arn:aws:kinesis:eu-west-1:123456789012:stream/clicks
  endpoint: http://127.0.0.1:4567
  starting_position: AT_TIMESTAMP
  starting_position_timestamp: "2026-11-22T10:00:00Z"
  child_shard_position: LATEST
target:
  type: command
  command: [node, ./processor.js]
retry: { maximum_record_age: 7d, maximum_retry_attempts: 0 }
dead_letter: { type: file, path: ./dlq }
)");
  EXPECT_EQ(config.source.stream, "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks");
  EXPECT_EQ(config.source.starting_position_timestamp_ms, parse_rfc3339_ms("2026-11-22T10:00:00Z"));
  EXPECT_EQ(config.source.child_shard_position, StartingPosition::latest);
  EXPECT_THAT(config.target.command, ElementsAre("node", "./processor.js"));
  EXPECT_EQ(config.retry.maximum_record_age, milliseconds{7 * 86'400'000});
  EXPECT_EQ(config.retry.maximum_retry_attempts, 0);
}

TEST(LoadPipeText, AcceptsBoundaryValues) {
  PipeConfig config = load_text_ok(R"(name: orders
source:
  path: ./log
  batch_size: 10000
  parallelization_factor: 10
  maximum_batching_window: 300s
retry: { maximum_record_age: 60s, maximum_retry_attempts: 10000, backoff_initial: 1s, backoff_max: 1s }
target: { type: stdout }
dead_letter: { type: file, path: ./dlq }
)");
  EXPECT_EQ(config.source.batch_size, 10'000);
  EXPECT_EQ(config.source.maximum_batching_window, milliseconds{300'000});
  EXPECT_EQ(config.retry.maximum_record_age, milliseconds{60'000});
}

}  // namespace
}  // namespace shardpipe::config
