// Throughput of the local log: group-committed appends of 100-byte records to 4 shards, and
// buffered reads of one shard. Appends include the fsync of every touched segment, so their
// numbers depend on the disk the temporary folder lives on.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sources/local/local_log.hpp"

namespace {

using namespace shardpipe::local;

constexpr size_t record_bytes = 100;

// A log in a fresh temporary folder, removed afterwards.
class ScratchLog {
 public:
  explicit ScratchLog(int shards) {
    std::string pattern = (std::filesystem::temp_directory_path() / "log-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot create a temporary folder");
    }
    root_ = pattern;
    create_log(dir(), shards);
  }
  ~ScratchLog() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  ScratchLog(const ScratchLog&) = delete;
  ScratchLog& operator=(const ScratchLog&) = delete;

  std::filesystem::path dir() const { return root_ / "log"; }

 private:
  std::filesystem::path root_;
};

// `count` records with distinct keys (spread over the shards) and 100 bytes of data each.
struct RecordBatch {
  explicit RecordBatch(size_t count) : data(record_bytes, 'd') {
    for (size_t index = 0; index < count; ++index) {
      keys.push_back("partition-key-" + std::to_string(index));
    }
    for (const auto& key : keys) {
      records.push_back({key, data});
    }
  }
  std::string data;
  std::vector<std::string> keys;
  std::vector<PutRecord> records;
};

void BM_Append(benchmark::State& state) {
  ScratchLog log(4);
  LogWriter writer(log.dir());
  RecordBatch batch(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto appended = writer.append(batch.records);
    benchmark::DoNotOptimize(appended.data());
  }
  auto records = static_cast<int64_t>(state.iterations()) * state.range(0);
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * static_cast<int64_t>(record_bytes));
}
BENCHMARK(BM_Append)
    ->ArgName("records_per_append")
    ->Arg(1000)
    ->Arg(10000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// One shard holding a million records, written once and shared by every read benchmark run.
const std::filesystem::path& filled_log() {
  static ScratchLog log(1);
  static bool filled = [] {
    LogWriter writer(log.dir());
    RecordBatch batch(10000);
    for (int group = 0; group < 100; ++group) {
      writer.append(batch.records);
    }
    return true;
  }();
  (void)filled;
  static const std::filesystem::path dir = log.dir();
  return dir;
}

void BM_Read(benchmark::State& state) {
  ShardReader reader(filled_log(), "shardId-000000000000");
  auto batch = static_cast<size_t>(state.range(0));
  int64_t records = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    ReadResult result = reader.read(batch, 64u << 20);
    if (result.records.empty()) {
      reader.seek_trim_horizon();  // wrap around: measure reading, not waiting
    }
    records += static_cast<int64_t>(result.records.size());
    for (const auto& record : result.records) {
      bytes += static_cast<int64_t>(record.data.size());
    }
    benchmark::DoNotOptimize(result.records.data());
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_Read)
    ->ArgName("records_per_read")
    ->Arg(1000)
    ->Arg(10000)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
