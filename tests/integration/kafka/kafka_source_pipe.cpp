#include "kafka_source_pipe.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe::testing {

namespace fs = std::filesystem;
using nlohmann::json;

bool is_valid_json_value(const std::string& value) {
  return json::accept(value);
}

KafkaSourceTest::KafkaSourceTest(const std::string& name, int partitions, int brokers)
    : dir_(fresh_test_dir(name)), cluster_(brokers) {
  cluster_.create_topic(topic_, partitions);
}

void KafkaSourceTest::write_pipe(const KafkaPipeOptions& options) {
  topic_ = options.topic;
  write_file(pipe_file(),
             fmt::format(R"(name: kpipe
source:
  type: kafka
  bootstrap_servers: "{}"
  topics: [{}]
  data_encoding: {}
  batch_size: 500
  properties: {{ {} }}
  {}
target: {}
dead_letter: {{ type: file, path: ./dlq }}
retry: {{ backoff_initial: 50ms, backoff_max: 1s }}
metrics: {{ listen: "off" }}
shutdown_timeout: 10s
{}
)",
                         cluster_.bootstraps(), options.topic, options.data_encoding,
                         options.properties, options.source_extra, options.target, options.extra));
}

std::map<MessageAt, std::string> KafkaSourceTest::produce(int count, int keys, int poison_every,
                                                          int first) {
  std::vector<std::pair<std::string, std::string>> messages;
  for (int i = first; i < first + count; ++i) {
    std::string key = fmt::format("key-{}", i % keys);
    std::string value = fmt::format(R"({{"k":"{}","n":{}}})", key, i);
    if (poison_every > 0 && i % poison_every == poison_every - 1) {
      value = (i / poison_every) % 2 == 0 ? fmt::format("not json {}", i)
                                          : fmt::format("{{\"n\":{},\"bad\":\"\xff\xfe\"}}", i);
    }
    messages.emplace_back(std::move(key), std::move(value));
  }
  kcat_produce(cluster_.bootstraps(), topic_, messages);
  return topic_contents();
}

std::map<MessageAt, std::string> KafkaSourceTest::topic_contents() {
  std::map<MessageAt, std::string> out;
  for (auto& message : kcat_consume(cluster_.bootstraps(), topic_)) {
    out[{fmt::format("{}-{}", message.topic, message.partition), message.offset}] =
        std::move(message.value);
  }
  return out;
}

std::map<MessageAt, std::string> KafkaSourceTest::delivered(
    std::map<MessageAt, int>* copies) const {
  std::map<MessageAt, std::string> out;
  for (const auto& file : file_target_files(dir_ / "out")) {
    std::istringstream lines(read_file(file));
    for (std::string line; std::getline(lines, line);) {
      auto envelope = json::parse(line);
      MessageAt at{fmt::format("{}-{}", envelope.at("topic").get<std::string>(),
                               envelope.at("partition").get<int>()),
                   envelope.at("offset").get<int64_t>()};
      out[at] = envelope.at("value").dump();
      if (copies) ++(*copies)[at];
    }
  }
  return out;
}

std::map<MessageAt, int> KafkaSourceTest::dead_lettered() const {
  std::map<MessageAt, int> out;
  for (const auto& entry : dead_letter_entries(dir_ / "dlq")) {
    const auto& source = entry.at("source");
    ++out[{fmt::format("{}-{}", source.at("topic").get<std::string>(),
                       source.at("partition").get<int>()),
           source.at("offset").get<int64_t>()}];
  }
  return out;
}

std::string KafkaSourceTest::exactly_once(const std::map<MessageAt, std::string>& expected) const {
  std::map<MessageAt, int> copies;
  auto got = delivered(&copies);
  auto dead = dead_lettered();
  std::string problems;
  auto note = [&](const std::string& line) {
    if (problems.size() < 2000) problems += line + "\n";
  };
  for (const auto& [at, value] : expected) {
    auto where = fmt::format("{}@{}", at.first, at.second);
    if (is_valid_json_value(value)) {
      auto found = got.find(at);
      if (found == got.end()) {
        note("missing: " + where);
      } else if (json::parse(found->second) != json::parse(value)) {
        note("altered: " + where + ": " + found->second);
      } else if (copies[at] != 1) {
        note(fmt::format("{} copies: {}", copies[at], where));
      }
    } else if (dead[at] != 1) {
      note(fmt::format("poison message with {} dead letters: {}", dead[at], where));
    }
  }
  for (const auto& [at, value] : got) {
    if (!expected.contains(at)) note(fmt::format("unexpected: {}@{}", at.first, at.second));
  }
  return problems;
}

std::map<std::string, std::string> KafkaSourceTest::checkpoints() const {
  return testing::checkpoints(SHARDPIPE_BINARY, pipe_file());
}

}  // namespace shardpipe::testing
