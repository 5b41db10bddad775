// Every class of configuration error, with its FILE:LINE:COL and a message that says what to
// change; and several errors reported together.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "test_support.hpp"

namespace shardpipe::config {
namespace {

using test_support::errors_of;
using test_support::fixture;
using test_support::formatted;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A valid pipe that tests extend with one mistake each.
constexpr std::string_view kValidHead = "name: orders\ntarget: { type: stdout }\n";

std::vector<std::string> errors_with(std::string_view rest) {
  return errors_of(std::string(kValidHead) + std::string(rest));
}

TEST(FormatError, WritesFileLineColumnAndMessage) {
  EXPECT_EQ(format_error({"pipes/a.yaml", 3, 14, "batch_size must be an integer, got 'x'"}),
            "pipes/a.yaml:3:14: error: batch_size must be an integer, got 'x'");
}

TEST(LoaderErrors, YamlSyntaxErrorAtItsPosition) {
  EXPECT_THAT(errors_of("name: orders\nsource: { path: [a, b }\n"),
              ElementsAre("pipe.yaml:2:23: error: invalid YAML: illegal flow end; close every "
                          "'[' with ']' and every '{' with '}'"));
  EXPECT_THAT(errors_of("name: orders\ntopics: [a, b\n"),
              ElementsAre("pipe.yaml:3:1: error: invalid YAML: end of sequence flow not found; "
                          "close the list with ']'"));
}

TEST(LoaderErrors, EmptyFile) {
  EXPECT_THAT(errors_of("# nothing yet\n"),
              ElementsAre("pipe.yaml:1:1: error: the pipe file is empty; it needs at least name, "
                          "source and target"));
}

TEST(LoaderErrors, TopLevelMustBeAMapping) {
  EXPECT_THAT(errors_of("- name: orders\n"),
              ElementsAre("pipe.yaml:1:1: error: the pipe file must be a mapping of keys such as "
                          "name, source and target, got a list"));
}

TEST(LoaderErrors, SecondDocument) {
  EXPECT_THAT(errors_with("source: { path: ./log }\n---\nname: other\n"),
              ElementsAre("pipe.yaml:5:1: error: a second YAML document starts here; a pipe file "
                          "holds one, so remove the '---' and what follows"));
}

// Found while writing fuzz/pipe_file_fuzzer: an alias inside the pattern it names crashed the
// loader (fuzz/corpus/pipe_file/alias_inside_own_anchor.yaml).
TEST(LoaderErrors, PatternThatContainsItselfThroughAnAlias) {
  EXPECT_THAT(errors_with("source: { path: ./log }\nfilter: &a [ { data: *a } ]\n"),
              ElementsAre(HasSubstr("error: this is nested more than 1000 levels deep")));
  EXPECT_THAT(errors_with("source: { path: ./log }\ntransform: &t { body: [ *t ] }\n"),
              ElementsAre(HasSubstr("error: this is nested more than 1000 levels deep")));
}

// Found by fuzz/pipe_file_fuzzer (fuzz/corpus/pipe_file/pattern_not_utf8.yaml): converting the
// pattern to JSON text threw nlohmann's type_error, which nothing caught.
TEST(LoaderErrors, PatternOrTemplateThatIsNotUtf8) {
  EXPECT_THAT(
      errors_with("source: { path: ./log }\nfilter: [ { data: { s: [ \"caf\xe9\" ] } } ]\n"),
      ElementsAre("pipe.yaml:4:26: error: this text is not valid UTF-8, which JSON requires"));
  EXPECT_THAT(
      errors_with("source: { path: ./log }\nfilter: [ { \"k\xff\": [ 1 ] } ]\n"),
      ElementsAre("pipe.yaml:4:13: error: this text is not valid UTF-8, which JSON requires"));
  EXPECT_THAT(
      errors_with("source: { path: ./log }\ntransform: { note: \"\xc3\" }\n"),
      ElementsAre("pipe.yaml:4:20: error: this text is not valid UTF-8, which JSON requires"));
}

TEST(LoaderErrors, UnknownKeySuggestsTheClosestKey) {
  EXPECT_THAT(errors_with("source:\n  path: ./log\n  batchsize: 10\n"),
              ElementsAre("pipe.yaml:5:3: error: unknown key 'batchsize' in source; did you mean "
                          "'batch_size'?"));
  EXPECT_THAT(errors_with("source: { path: ./log }\nshutdown_timout: 5s\n"),
              ElementsAre("pipe.yaml:4:1: error: unknown key 'shutdown_timout' at the top level; "
                          "did you mean 'shutdown_timeout'?"));
}

TEST(LoaderErrors, UnknownKeyNamesTheSectionItBelongsIn) {
  EXPECT_THAT(errors_with("source: { path: ./log }\nbatch_size: 10\n"),
              ElementsAre("pipe.yaml:4:1: error: unknown key 'batch_size' at the top level; it "
                          "belongs in source"));
  EXPECT_THAT(errors_of("source: { path: ./log, name: orders }\ntarget: { type: stdout }\n"),
              ElementsAre("pipe.yaml:1:1: error: missing required key 'name', e.g. name: orders",
                          "pipe.yaml:1:24: error: unknown key 'name' in source; it belongs at the "
                          "top level"));
  EXPECT_THAT(errors_with("source: { path: ./log, lease_duration: 5s }\n"),
              ElementsAre("pipe.yaml:3:24: error: unknown key 'lease_duration' in source; it "
                          "belongs in checkpoint"));
}

TEST(LoaderErrors, UnknownKeyWithoutNearMatchListsTheKeysOfTheType) {
  EXPECT_THAT(errors_with("source: { path: ./log }\nmetrics: { port: 9464 }\n"),
              ElementsAre("pipe.yaml:4:12: error: unknown key 'port' in metrics; remove it (known "
                          "keys: listen, bearer_token)"));
  std::vector<std::string> errors = errors_with("source: { path: ./log, colour: blue }\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("pipe.yaml:3:24: error: unknown key 'colour' in source; "
                                   "remove it (keys for source type local: type, path, "
                                   "starting_position,"));
  EXPECT_THAT(errors[0], ::testing::Not(HasSubstr("topics")));
}

TEST(LoaderErrors, KeyForAnotherType) {
  EXPECT_THAT(
      errors_with("source:\n  type: local\n  path: ./log\n  topics: [orders]\n"),
      ElementsAre("pipe.yaml:6:3: error: 'topics' applies to source type kafka, not local"));
  EXPECT_THAT(errors_of("name: a\nsource: { type: local, path: ./log, region: eu-west-1 }\n"
                        "target: { type: stdout, records_per_file: 10 }\n"),
              ElementsAre("pipe.yaml:2:37: error: 'region' applies to source types kinesis and "
                          "dynamodb_streams, not local",
                          "pipe.yaml:3:25: error: 'records_per_file' applies to target type file, "
                          "not stdout"));
}

TEST(LoaderErrors, KeyForAnotherTypeWhenTheTypeIsLeftOut) {
  EXPECT_THAT(errors_with("source: { stream: clicks }\n"),
              ElementsAre("pipe.yaml:3:1: error: missing required key 'path' for source type local "
                          "(the default type), e.g. path: ./data/orders",
                          "pipe.yaml:3:11: error: 'stream' applies to source types kinesis and "
                          "dynamodb_streams, not local (the default type; set type: kinesis)"));
}

TEST(LoaderErrors, WrongTypes) {
  EXPECT_THAT(errors_with("source:\n  path: ./log\n  batch_size: lots\n"),
              ElementsAre("pipe.yaml:5:15: error: batch_size must be an integer, got 'lots'"));
  EXPECT_THAT(errors_with("source:\n  path: [a, b]\n"),
              ElementsAre("pipe.yaml:4:9: error: path must be a path, e.g. path: ./data/orders; "
                          "got a list"));
  EXPECT_THAT(errors_with("source: { path: ./log }\nretry: { bisect_batch_on_error: yes }\n"),
              ElementsAre("pipe.yaml:4:33: error: bisect_batch_on_error must be true or false, "
                          "got 'yes'"));
  EXPECT_THAT(errors_with("source: { path: ./log }\nfilter: { data: 1 }\n"),
              ElementsAre("pipe.yaml:4:9: error: filter must be a list of event patterns, e.g. "
                          "filter: [{ data: { status: [paid] } }]; got a mapping"));
  EXPECT_THAT(errors_with("source: { path: ./log }\nfilter: [paid]\n"),
              ElementsAre("pipe.yaml:4:10: error: each pattern in filter must be a mapping such as "
                          "{ data: { status: [paid] } }, got 'paid'"));
  EXPECT_THAT(errors_with("source: { path: ./log }\ntransform: [a]\n"),
              ElementsAre("pipe.yaml:4:12: error: transform must be a string or a mapping, got a "
                          "list"));
  EXPECT_THAT(errors_with("source: log\n"),
              ElementsAre("pipe.yaml:3:9: error: source must be a mapping of keys, e.g. source: "
                          "{ type: local, path: ./data/orders }; got 'log'"));
  EXPECT_THAT(errors_of("name: a\nsource: { path: ./log }\n"
                        "target: { type: http, url: 'http://h', headers: [a] }\n"),
              ElementsAre("pipe.yaml:3:49: error: headers must be a mapping of names to values, "
                          "e.g. headers: { Authorization: \"Bearer ${ORDERS_TOKEN}\" }; got a "
                          "list"));
}

TEST(LoaderErrors, OutOfRange) {
  EXPECT_THAT(errors_with("source:\n  path: ./log\n  batch_size: 0\n"),
              ElementsAre("pipe.yaml:5:15: error: batch_size must be between 1 and 10000, got 0"));
  EXPECT_THAT(errors_with("source: { path: ./log, parallelization_factor: 11 }\n"),
              ElementsAre("pipe.yaml:3:48: error: parallelization_factor must be between 1 and 10, "
                          "got 11"));
  EXPECT_THAT(errors_with("source: { path: ./log, maximum_batching_window: 301s }\n"),
              ElementsAre("pipe.yaml:3:49: error: maximum_batching_window must be between 0s and "
                          "300s, got 301s"));
  EXPECT_THAT(errors_with("source: { path: ./log }\nretry: { maximum_record_age: 30s }\n"),
              ElementsAre("pipe.yaml:4:30: error: maximum_record_age must be -1 or between 60s "
                          "and 7d, got 30s"));
  EXPECT_THAT(errors_with("source: { path: ./log }\nretry: { maximum_retry_attempts: -2 }\n"),
              ElementsAre("pipe.yaml:4:34: error: maximum_retry_attempts must be -1 or between 0 "
                          "and 10000, got -2"));
}

TEST(LoaderErrors, BadEnumValueListsTheAllowedOnes) {
  EXPECT_THAT(errors_with("source: { path: ./log, starting_position: latest }\n"),
              ElementsAre("pipe.yaml:3:43: error: starting_position must be one of TRIM_HORIZON, "
                          "LATEST or AT_TIMESTAMP, got 'latest'; did you mean 'LATEST'?"));
  EXPECT_THAT(errors_with("source: { path: ./log, child_shard_position: AT_TIMESTAMP }\n"),
              ElementsAre("pipe.yaml:3:46: error: child_shard_position must be one of "
                          "TRIM_HORIZON or LATEST, got 'AT_TIMESTAMP'"));
  EXPECT_THAT(errors_of("name: a\nsource: { type: pulsar }\ntarget: { type: stdout }\n"),
              ElementsAre("pipe.yaml:2:17: error: type must be one of local, kafka, kinesis or "
                          "dynamodb_streams, got 'pulsar'"));
}

TEST(LoaderErrors, BadDurationsAndSizes) {
  EXPECT_THAT(errors_with("source: { path: ./log, maximum_batching_window: 5 minutes }\n"),
              ElementsAre("pipe.yaml:3:49: error: maximum_batching_window must be a duration such "
                          "as 250ms, 10s, 5m, 1h or 7d, got '5 minutes'"));
  EXPECT_THAT(errors_with("source: { path: ./log }\nshutdown_timeout: 30\n"),
              ElementsAre("pipe.yaml:4:19: error: shutdown_timeout needs a unit, e.g. 30ms or 30s, "
                          "got '30'"));
  EXPECT_THAT(errors_with("source: { path: ./log }\nretry: { maximum_record_age: forever }\n"),
              ElementsAre("pipe.yaml:4:30: error: maximum_record_age must be -1 or a duration "
                          "such as 250ms, 10s, 5m, 1h or 7d, got 'forever'"));
  EXPECT_THAT(errors_with("source: { path: ./log, maximum_batch_bytes: 6mb }\n"),
              ElementsAre("pipe.yaml:3:45: error: maximum_batch_bytes must be a size such as "
                          "512KiB, 6MiB or 1000000 (bytes), got '6mb'"));
}

TEST(LoaderErrors, MissingRequiredKeys) {
  EXPECT_THAT(errors_of("source: { path: ./log }\ntarget: { type: stdout }\n"),
              ElementsAre("pipe.yaml:1:1: error: missing required key 'name', e.g. name: orders"));
  EXPECT_THAT(errors_of("name: a\nsource: { path: ./log }\n"),
              ElementsAre("pipe.yaml:1:1: error: missing required section 'target', e.g. target: "
                          "{ type: file, path: ./out }"));
  EXPECT_THAT(errors_with("source:\n  batch_size: 10\n"),
              ElementsAre("pipe.yaml:3:1: error: missing required key 'path' for source type local "
                          "(the default type), e.g. path: ./data/orders"));
  EXPECT_THAT(errors_of("name: a\nsource: { path: ./log }\ntarget: { type: file }\n"),
              ElementsAre("pipe.yaml:3:17: error: missing required key 'path' for target type "
                          "file, e.g. path: ./out"));
  EXPECT_THAT(errors_with("source: { type: kafka }\n"),
              ElementsAre("pipe.yaml:3:17: error: missing required key 'bootstrap_servers' for "
                          "source type kafka, e.g. bootstrap_servers: [broker1:9092, broker2:9092]",
                          "pipe.yaml:3:17: error: missing required key 'topics' for source type "
                          "kafka, e.g. topics: [orders, payments]"));
}

TEST(LoaderErrors, RequiredKeyWithoutValuePointsAtTheKey) {
  EXPECT_THAT(errors_of("name:\nsource: { path: ./log }\ntarget: { type: stdout }\n"),
              ElementsAre("pipe.yaml:1:1: error: missing required key 'name', e.g. name: orders"));
  EXPECT_THAT(errors_with("source:\n  type: kinesis\n  stream:\n"),
              ElementsAre("pipe.yaml:5:3: error: missing required key 'stream' for source type "
                          "kinesis, e.g. stream: orders-stream"));
}

TEST(LoaderErrors, EmptyRequiredValues) {
  EXPECT_THAT(errors_with("source: { type: kafka, bootstrap_servers: 'b:9092', topics: [] }\n"),
              ElementsAre("pipe.yaml:3:61: error: topics must not be empty, e.g. topics: [orders, "
                          "payments]"));
  EXPECT_THAT(errors_with("source: { type: kinesis, stream: '' }\n"),
              ElementsAre("pipe.yaml:3:34: error: stream must not be empty, e.g. stream: "
                          "orders-stream"));
}

TEST(LoaderErrors, NameMustMatchThePattern) {
  EXPECT_THAT(errors_of("name: Orders Pipe\nsource: { path: ./log }\ntarget: { type: stdout }\n"),
              ElementsAre("pipe.yaml:1:7: error: name must match [a-z0-9_-]+ (lowercase letters, "
                          "digits, '_' and '-'), got 'Orders Pipe'; try 'orders-pipe'"));
}

TEST(LoaderErrors, DuplicateKey) {
  EXPECT_THAT(errors_with("source:\n  path: ./log\n  path: ./other\n"),
              ElementsAre("pipe.yaml:5:3: error: duplicate key 'path' in source; it is already set "
                          "on line 4, remove one of them"));
}

TEST(LoaderErrors, AtTimestampNeedsATimestamp) {
  EXPECT_THAT(errors_with("source: { path: ./log, starting_position: AT_TIMESTAMP }\n"),
              ElementsAre("pipe.yaml:3:43: error: starting_position AT_TIMESTAMP needs "
                          "starting_position_timestamp, e.g. starting_position_timestamp: "
                          "2026-11-22T10:00:00Z"));
}

TEST(LoaderErrors, TimestampNeedsAtTimestamp) {
  EXPECT_THAT(
      errors_with("source: { path: ./log, starting_position_timestamp: 2026-11-22T10:00:00Z }\n"),
      ElementsAre("pipe.yaml:3:53: error: starting_position_timestamp is only used with "
                  "starting_position: AT_TIMESTAMP; set starting_position: AT_TIMESTAMP or remove "
                  "the timestamp"));
}

TEST(LoaderErrors, MalformedTimestampIsReportedOnce) {
  EXPECT_THAT(errors_with("source:\n  path: ./log\n  starting_position: AT_TIMESTAMP\n"
                          "  starting_position_timestamp: 2026-11-22 10h\n"),
              ElementsAre("pipe.yaml:6:32: error: starting_position_timestamp must be an RFC 3339 "
                          "timestamp such as 2026-11-22T10:00:00Z or "
                          "2026-11-22T12:00:00.250+02:00, got '2026-11-22 10h'"));
}

TEST(LoaderErrors, BackoffInitialAboveBackoffMax) {
  EXPECT_THAT(errors_with("source: { path: ./log }\nretry: { backoff_initial: 1m }\n"),
              ElementsAre("pipe.yaml:4:27: error: backoff_initial (1m) must not exceed backoff_max "
                          "(30s); lower backoff_initial or raise backoff_max"));
  EXPECT_THAT(errors_with("source: { path: ./log }\nretry: { backoff_max: 50ms }\n"),
              ElementsAre("pipe.yaml:4:23: error: backoff_initial (100ms) must not exceed "
                          "backoff_max (50ms); lower backoff_initial or raise backoff_max"));
}

TEST(LoaderErrors, ValueRulesOfSingleKeys) {
  EXPECT_THAT(
      errors_with("source: { path: ./log }\ncheckpoint: { store: redis://x }\n"),
      ElementsAre("pipe.yaml:4:22: error: store must be sqlite:PATH or a postgresql:// URL, "
                  "got 'redis://x'"));
  EXPECT_THAT(errors_with("source: { path: ./log }\nmetrics: { listen: 9464 }\n"),
              ElementsAre("pipe.yaml:4:20: error: listen must be HOST:PORT, e.g. 127.0.0.1:9464, "
                          "or off, got '9464'"));
  EXPECT_THAT(errors_of("name: a\nsource: { path: ./log }\ntarget: { type: http, url: h:80 }\n"),
              ElementsAre("pipe.yaml:3:28: error: url must start with http:// or https://, got "
                          "'h:80'"));
}

TEST(LoaderErrors, DeadLetterSectionNeedsItsKeys) {
  EXPECT_THAT(errors_with("source: { path: ./log }\ndead_letter: { type: http }\n"),
              ElementsAre("pipe.yaml:4:22: error: missing required key 'url' for dead_letter type "
                          "http, e.g. url: http://127.0.0.1:8080/dead-letters"));
}

TEST(LoaderErrors, ReportsEveryErrorInFileOrder) {
  std::filesystem::path file = fixture("many_errors.yaml");
  LoadResult result = load_pipe_file(file);
  EXPECT_FALSE(result.config.has_value());
  std::string f = file.string();
  EXPECT_THAT(
      formatted(result),
      ElementsAre(
          f + ":1:7: error: name must match [a-z0-9_-]+ (lowercase letters, digits, '_' and '-'), "
              "got 'Orders'; try 'orders'",
          f + ":3:9: error: missing required key 'path' for source type local, e.g. path: "
              "./data/orders",
          f + ":4:3: error: unknown key 'batchsize' in source; did you mean 'batch_size'?",
          f + ":5:15: error: batch_size must be between 1 and 10000, got 0",
          f + ":6:3: error: 'topics' applies to source type kafka, not local",
          f + ":7:22: error: starting_position must be one of TRIM_HORIZON, LATEST or "
              "AT_TIMESTAMP, got 'latest'; did you mean 'LATEST'?",
          f + ":8:28: error: maximum_batching_window needs a unit, e.g. 100ms or 100s, got '100'",
          f + ":10:9: error: missing required key 'bootstrap_servers' for target type kafka, e.g. "
              "bootstrap_servers: broker1:9092,broker2:9092",
          f + ":10:9: error: missing required key 'topic' for target type kafka, e.g. topic: "
              "orders-out",
          f + ":11:3: error: 'records_per_file' applies to target type file, not kafka",
          f + ":13:23: error: maximum_record_age must be -1 or between 60s and 7d, got 30s",
          f + ":14:26: error: bisect_batch_on_error must be true or false, got 'yes'",
          f + ":15:19: error: shutdown_timeout must be a duration such as 250ms, 10s, 5m, 1h or "
              "7d, got 'soon'"));
}

TEST(LoaderErrors, InvalidFilterPatternsAreReportedWhereTheyAreWritten) {
  EXPECT_THAT(
      errors_with("source: { path: ./log }\n"
                  "filter:\n"
                  "  - { data: { status: [paid] } }\n"
                  "  - { data: { amount: [ { numeric: [ \">\" ] } ] } }\n"
                  "  - { data: { status: [ { prefx: pa } ] } }\n"
                  "  - source: aws.ec2\n"),
      ElementsAre("pipe.yaml:6:36: error: invalid event pattern in filter: data.amount: numeric "
                  "needs an operator and a number, or two of each such as [\">\", 0, \"<=\", 5]; "
                  "got [\">\"]",
                  "pipe.yaml:7:27: error: invalid event pattern in filter: data.status: unknown "
                  "matcher 'prefx'; did you mean 'prefix'?",
                  "pipe.yaml:8:13: error: invalid event pattern in filter: source: the values to "
                  "match must be in a list, such as [\"aws.ec2\"]; got \"aws.ec2\""));
}

TEST(LoaderErrors, InvalidFilterPatternInBlockStyle) {
  EXPECT_THAT(errors_with("source: { path: ./log }\n"
                          "filter:\n"
                          "  - data:\n"
                          "      ip: [ { cidr: 10.0.0.0/33 } ]\n"
                          "    $or: [ { a: [1] } ]\n"),
              ElementsAre("pipe.yaml:6:21: error: invalid event pattern in filter: data.ip: the "
                          "prefix length of a cidr block must be a number from 0 to 32; got "
                          "\"10.0.0.0/33\""));
  EXPECT_THAT(errors_with("source: { path: ./log }\n"
                          "filter:\n"
                          "  - $or: [ { a: [1] } ]\n"),
              ElementsAre("pipe.yaml:5:10: error: invalid event pattern in filter: $or: $or needs "
                          "at least two patterns to choose from, got 1"));
}

TEST(LoaderErrors, InvalidFilterPatternsComeWithTheOtherErrors) {
  EXPECT_THAT(errors_with("source: { path: ./log, batch_size: 0 }\n"
                          "filter: [ { data: [ ] } ]\n"
                          "shutdown_timeout: soon\n"),
              ElementsAre(HasSubstr("pipe.yaml:3:36: error: batch_size must be between"),
                          "pipe.yaml:4:19: error: invalid event pattern in filter: data: the list "
                          "of values is empty; give at least one value to match, such as "
                          "[\"paid\"]",
                          HasSubstr("pipe.yaml:5:19: error: shutdown_timeout must be")));
}

TEST(LoaderErrors, TheFilterExamplesOfTheGuideAreValid) {
  EXPECT_THAT(
      errors_with(
          "source: { path: ./log }\n"
          "filter:\n"
          "  - data:\n"
          "      status: [ paid, shipped ]\n"
          "      country: [ { prefix: F } ]\n"
          "    $or:\n"
          "      - { partitionKey: [ { prefix: \"vip-\" } ] }\n"
          "      - { data: { order: { amount: [ { numeric: [ \">\", 1000 ] } ] } } }\n"
          "  - partitionKey: [ { prefix: \"customer-\" } ]\n"
          "    data:\n"
          "      client_ip: [ { cidr: 192.168.0.0/16 } ]\n"
          "  - { eventName: [ MODIFY ], dynamodb: { NewImage: { status: { S: [ paid ] } } } }\n"
          "  - dynamodb:\n"
          "      OldImage: { status: [ pending ] }\n"
          "      NewImage: { amount: [ { numeric: [ \">\", 100 ] } ], tags: [ vip ] }\n"
          "transform: '{\"id\": <$.eventID>, \"order\": <$.data.order>}'\n"),
      ::testing::IsEmpty());
}

TEST(LoaderErrors, InvalidTransformTemplates) {
  EXPECT_THAT(errors_with("source: { path: ./log }\ntransform: '{\"id\": <$.eventID>'\n"),
              ElementsAre("pipe.yaml:4:12: error: transform is not a valid input template: the "
                          "template starts like JSON but is not valid JSON: syntax error while "
                          "parsing object - unexpected end of input; expected '}' (at line 1, "
                          "column 19 of the template)"));
  EXPECT_THAT(errors_with("source: { path: ./log }\ntransform: 'Order <$.data.id'\n"),
              ElementsAre("pipe.yaml:4:12: error: transform is not a valid input template: a "
                          "placeholder is not closed with '>' (at line 1, column 7 of the "
                          "template)"));
  EXPECT_THAT(errors_with("source: { path: ./log }\ntransform:\n  id: <$.eventID>\n"
                          "  body: <$.data..id>\n"),
              ElementsAre("pipe.yaml:5:3: error: transform is not a valid input template: "
                          "<$.data..id> a member name is missing after '.' at character 7 of the "
                          "path"));
  EXPECT_THAT(errors_with("source: { path: ./log }\ntransform: '{\"id\": <$.eventID>}'\n"),
              ::testing::IsEmpty());
}

TEST(LoaderErrors, UnreadableFile) {
  LoadResult result = load_pipe_file("no/such/pipe.yaml");
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(
      formatted(result),
      ElementsAre("no/such/pipe.yaml:1:1: error: cannot read the pipe file: No such file or "
                  "directory"));
}

TEST(LoaderErrors, AnEncodingThatCanFailNeedsADeadLetterDestination) {
  EXPECT_THAT(errors_with("source: { type: local, path: ./log, data_encoding: json }\n"),
              ElementsAre(HasSubstr("there is no dead_letter section")));
  EXPECT_THAT(
      errors_with(
          "source: { type: local, path: ./log, data_encoding: text, on_decode_error: fail }\n"),
      ::testing::IsEmpty());
  EXPECT_THAT(errors_with("source: { type: local, path: ./log, data_encoding: json }\n"
                          "dead_letter: { type: file, path: ./dlq }\n"),
              ::testing::IsEmpty());
  EXPECT_THAT(errors_with("source: { type: local, path: ./log }\n"), ::testing::IsEmpty())
      << "base64, the default, decodes any bytes";
}

TEST(LoaderErrors, RetryLimitsNeedADeadLetterDestination) {
  EXPECT_THAT(errors_with("source: { path: ./log }\nretry: { maximum_retry_attempts: 3 }\n"),
              ElementsAre("pipe.yaml:4:34: error: records that reach maximum_retry_attempts go to "
                          "the dead letters, but there is no dead_letter section; add one, e.g. "
                          "dead_letter: { type: file, path: ./dlq }, or set "
                          "maximum_retry_attempts: -1"));
  EXPECT_THAT(errors_with("source: { path: ./log }\nretry: { maximum_record_age: 1h }\n"),
              ElementsAre(HasSubstr("records that reach maximum_record_age go to the dead")));
  EXPECT_THAT(errors_with("source: { path: ./log }\nretry: { maximum_retry_attempts: -1 }\n"),
              ::testing::IsEmpty());
  EXPECT_THAT(errors_with("source: { path: ./log }\nretry: { maximum_retry_attempts: 3 }\n"
                          "dead_letter: { type: file, path: ./dlq }\n"),
              ::testing::IsEmpty());
}

}  // namespace
}  // namespace shardpipe::config
