// Throughput of the record filter on one core: a typical set of three event patterns with about
// five conditions each, against ~300-byte local-log envelopes with JSON data (CONTRACT section 3).
// Each call parses the envelope once and evaluates the patterns until one matches. Parsing alone
// is measured as the floor, and the input template on the same envelopes for comparison.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "filter/record_filter.hpp"
#include "transform/input_template.hpp"

namespace {

using shardpipe::filter::RecordFilter;

const std::vector<std::string> kPatterns = {
    R"({"eventSource":["shardpipe:local"],"data":{"status":["paid","shipped"],"country":[{"prefix":"F"}],"order":{"amount":[{"numeric":[">=",100]}],"currency":["EUR","USD"]}}})",
    R"({"data":{"status":[{"anything-but":["cancelled","refunded"]}],"prio":[{"numeric":[">",7]}],"tier":["gold"],"ip":[{"cidr":"10.0.0.0/8"}],"channel":[{"equals-ignore-case":"web"}]}})",
    R"({"partitionKey":[{"prefix":"vip-"}],"data":{"tags":["urgent"],"order":{"id":[{"wildcard":"o-*-x"}]},"deleted":[{"exists":false}]}})",
};

// Envelopes as the local source renders them (its fixed fields take about 240 bytes), with
// varied data so that about a quarter passes and the rest is evaluated against every pattern.
std::vector<std::string> envelopes(size_t count) {
  static constexpr const char* kStatuses[] = {"paid", "shipped", "pending", "cancelled",
                                              "refunded"};
  static constexpr const char* kCountries[] = {"FR", "DE", "FI", "US"};
  static constexpr const char* kTiers[] = {"gold", "blue"};
  static constexpr const char* kChannels[] = {"WEB", "app"};
  std::mt19937 random(42);
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string key = (random() % 4 == 0 ? "vip-" : "c-") + std::to_string(random() % 1000);
    std::string envelope =
        R"({"eventSource":"shardpipe:local","eventID":"shardId-000000000000:)" + std::to_string(i) +
        R"(","eventName":"aws:kinesis:record","eventVersion":"1.0","eventSourceARN":"local:orders",)"
        R"("awsRegion":"local","partitionKey":")" +
        key + R"(","sequenceNumber":")" + std::to_string(i) +
        R"(","approximateArrivalTimestamp":1795341600.250000,"data":{)" + R"("status":")" +
        kStatuses[random() % 5] + R"(","country":")" + kCountries[random() % 4] + R"(","prio":)" +
        std::to_string(random() % 10) + R"(,"channel":")" + kChannels[random() % 2] +
        R"(","tier":")" + kTiers[random() % 2] + R"(","ip":"10.1.2.3","order":{"id":"o-)" +
        std::to_string(random() % 100) + (random() % 2 ? "-x" : "-y") + R"(","amount":)" +
        std::to_string(random() % 200) + R"(,"currency":"EUR"},"tags":["web","urgent"]}})";
    out.push_back(std::move(envelope));
  }
  return out;
}

void BM_FilterMatches(benchmark::State& state) {
  auto filter = RecordFilter::compile(kPatterns);
  if (!filter) throw std::runtime_error(filter.error().message);
  std::vector<std::string> records = envelopes(1024);
  size_t bytes = 0;
  for (const std::string& record : records) bytes += record.size();
  size_t index = 0;
  int64_t passed = 0;
  for (auto _ : state) {
    passed += filter->matches(records[index]) ? 1 : 0;
    index = (index + 1) % records.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes / records.size()));
  state.counters["passed_share"] =
      benchmark::Counter(static_cast<double>(passed) / static_cast<double>(state.iterations()));
  state.counters["envelope_bytes"] = static_cast<double>(bytes / records.size());
}
BENCHMARK(BM_FilterMatches);

// The floor: parsing the same envelopes with the same parser, without evaluating any pattern.
void BM_EnvelopeParseOnly(benchmark::State& state) {
  std::vector<std::string> records = envelopes(1024);
  simdjson::dom::parser parser;
  size_t index = 0;
  for (auto _ : state) {
    simdjson::dom::element root;
    auto error = parser.parse(records[index].data(), records[index].size()).get(root);
    benchmark::DoNotOptimize(error);
    index = (index + 1) % records.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EnvelopeParseOnly);

void BM_TemplateApply(benchmark::State& state) {
  auto input = shardpipe::transform::compile_template(
      R"({"id": <$.eventID>, "key": <$.partitionKey>, "order": <$.data.order>, "summary": "<$.data.status> in <$.data.country>"})");
  if (!input) throw std::runtime_error(input.error().message);
  std::vector<std::string> records = envelopes(1024);
  size_t index = 0;
  std::string out;
  for (auto _ : state) {
    out.clear();
    auto applied = input->apply_to(records[index], out);
    benchmark::DoNotOptimize(applied);
    index = (index + 1) % records.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TemplateApply);

}  // namespace

BENCHMARK_MAIN();
