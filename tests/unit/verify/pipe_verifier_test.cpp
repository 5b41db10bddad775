// verify_pipe over an in-memory source, a real checkpoint store and real output folders: the
// shard set, the checkpoints, the filter, the dead letters and the starting positions together.
#include "verify/pipe_verifier.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include "coordination/sqlite_store.hpp"

namespace shardpipe::verify {
namespace {

namespace fs = std::filesystem;

// A source whose shards are vectors of records, read a few at a time.
class FakeSource final : public Source {
 public:
  struct Shard {
    std::vector<std::string> parents;
    std::vector<Record> records;
    bool open = false;
  };
  std::map<std::string, Shard> shards;

  std::string type() const override { return "fake"; }
  Result<std::vector<ShardDescription>> list_shards() override {
    std::vector<ShardDescription> out;
    for (const auto& [id, shard] : shards) out.push_back({id, shard.parents, shard.open});
    return out;
  }
  Result<std::unique_ptr<ShardReader>> open_shard(const std::string& id,
                                                  const StartPosition& start) override {
    EXPECT_EQ(start.kind, StartKind::trim_horizon);
    return std::make_unique<Reader>(shards.at(id));
  }
  Result<std::string> resolve_latest(const std::string&) override { return "TRIM_HORIZON"; }
  Result<ShardLag> lag(const std::string&, const std::string&) override { return ShardLag{}; }

 private:
  class Reader final : public ShardReader {
   public:
    explicit Reader(const Shard& shard) : shard_(shard) {}
    Result<ReadBatch> read(size_t, size_t) override {
      ReadBatch batch;
      for (int i = 0; i < 3 && next_ < shard_.records.size(); ++i) {
        batch.records.push_back(shard_.records[next_++]);
      }
      batch.shard_end = !shard_.open && next_ == shard_.records.size();
      return batch;
    }

   private:
    const Shard& shard_;
    size_t next_ = 0;
  };
};

Record record(int sequence, bool keep) {
  Record r;
  r.sequence_number = std::to_string(sequence);
  r.envelope = fmt::format(R"({{"sequenceNumber":"{}","data":{{"keep":{}}}}})", sequence, keep);
  return r;
}

Record undecodable(int sequence) {
  Record r;
  r.sequence_number = std::to_string(sequence);
  r.decode_failed = true;
  return r;
}

void write_lines(const fs::path& file, const std::vector<int>& sequences) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  for (int s : sequences) out << record(s, true).envelope << "\n";
}

struct Fixture {
  fs::path dir;
  config::PipeConfig pipe;
  FakeSource source;
  std::unique_ptr<coordination::CheckpointStore> store;

  Fixture() {
    dir = fs::temp_directory_path() / fmt::format("shardpipe-verify-pipe-{}", ::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    pipe.name = "p";
    pipe.target.type = "file";
    pipe.target.path = dir / "out";
    pipe.dead_letter = config::DeadLetterConfig{.type = "file", .path = dir / "dlq"};
    pipe.filter_patterns = {R"({"data":{"keep":[true]}})"};
    pipe.source.child_shard_position = config::StartingPosition::latest;
    auto opened = coordination::open_sqlite_store(dir / "state.db", "p");
    EXPECT_TRUE(opened);
    store = std::move(*opened);
  }
  ~Fixture() { fs::remove_all(dir); }

  void checkpoint(const std::string& shard, const std::vector<std::string>& parents,
                  const std::string& value) {
    ASSERT_TRUE(store->ensure_shard(shard, parents));
    if (!value.empty()) {
      ASSERT_TRUE(store->set_checkpoint(shard, value));
    }
  }
};

const ShardReport& shard_report(const VerifyReport& report, const std::string& id) {
  for (const auto& shard : report.shards) {
    if (shard.report.shard_id == id) return shard.report;
  }
  throw std::runtime_error("no shard " + id);
}

TEST(PipeVerifier, ChecksEveryShardAgainstTargetDeadLettersAndFilter) {
  Fixture f;
  // Shard a: 1..20; multiples of 5 are filtered out, 7 cannot be decoded (dead-lettered).
  auto& a = f.source.shards["a"];
  for (int s = 1; s <= 20; ++s)
    a.records.push_back(s == 7 ? undecodable(7) : record(s, s % 5 != 0));
  std::vector<int> delivered;
  for (int s = 1; s <= 20; ++s) {
    if (s % 5 != 0 && s != 7 && s != 12 && s != 13) delivered.push_back(s);
  }
  write_lines(f.pipe.target.path / "a" / "00000000000000000001.jsonl", delivered);
  write_lines(f.pipe.target.path / "a" / "copy.jsonl", {3});
  fs::create_directories(f.dir / "dlq");
  std::ofstream(f.dir / "dlq" / "a.jsonl")
      << R"({"eventID":"a:7","source":{"type":"local","shardId":"a","sequenceNumber":"7"},"record":{"rawData":"eA=="}})"
      << "\n";
  f.checkpoint("a", {}, "SHARD_END");
  // Shard b, a child started at LATEST: expected from the earliest record in the output (23),
  // checkpointed at 26.
  auto& b = f.source.shards["b"];
  b.parents = {"a"};
  b.open = true;
  for (int s = 21; s <= 30; ++s) b.records.push_back(record(s, true));
  write_lines(f.pipe.target.path / "b" / "00000000000000000023.jsonl", {23, 24, 25, 26, 27});
  f.checkpoint("b", {"a"}, "26");
  // Shard c: only in the output; the source never had it.
  write_lines(f.pipe.target.path / "c" / "00000000000000000100.jsonl", {100});

  ASSERT_EQ(unverifiable_reason(f.pipe), std::nullopt);
  auto report = verify_pipe(f.pipe, f.source, *f.store);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->shards.size(), 3u);

  const auto& ra = shard_report(*report, "a");
  EXPECT_EQ(ra.expected, 20u);
  EXPECT_EQ(ra.filtered, 4u);
  EXPECT_EQ(ra.dead_lettered, 1u);
  EXPECT_EQ(ra.in_target, 13u);
  EXPECT_EQ(ra.missing, 2u);
  ASSERT_EQ(ra.gaps.size(), 1u);
  EXPECT_EQ(ra.gaps[0].first, "12");
  EXPECT_EQ(ra.gaps[0].last, "13");
  EXPECT_EQ(ra.duplicates.first, (std::vector<std::string>{"3"}));

  const auto& rb = shard_report(*report, "b");
  EXPECT_EQ(rb.first_expected, "23");
  EXPECT_EQ(rb.expected, 4u);
  EXPECT_EQ(rb.in_target, 4u);
  EXPECT_EQ(rb.beyond_checkpoint, 1u);
  EXPECT_EQ(rb.gap_count, 0u);

  const auto& rc = shard_report(*report, "c");
  EXPECT_EQ(rc.unexpected.first, (std::vector<std::string>{"100"}));
  EXPECT_EQ(rc.notes.size(), 2u) << "not in the store, not in the source";
}

TEST(PipeVerifier, ShardsWithoutACheckpointExpectNothing) {
  Fixture f;
  auto& a = f.source.shards["a"];
  for (int s = 1; s <= 5; ++s) a.records.push_back(record(s, true));
  f.checkpoint("a", {}, "TRIM_HORIZON");
  auto report = verify_pipe(f.pipe, f.source, *f.store);
  ASSERT_TRUE(report);
  ASSERT_EQ(report->shards.size(), 1u);
  EXPECT_EQ(report->shards[0].report.expected, 0u);
  EXPECT_EQ(report->shards[0].checkpoint, "TRIM_HORIZON");
  ASSERT_FALSE(report->shards[0].report.notes.empty());
}

TEST(PipeVerifier, PipesWhoseOutputCannotBeReadBackAreRefused) {
  config::PipeConfig pipe;
  pipe.target.type = "http";
  EXPECT_NE(unverifiable_reason(pipe)->find("'http'"), std::string::npos);
  pipe.target.type = "file";
  pipe.transform = R"({"id": <$.eventID>})";
  EXPECT_NE(unverifiable_reason(pipe)->find("transform"), std::string::npos);
  pipe.transform.reset();
  pipe.dead_letter = config::DeadLetterConfig{.type = "http"};
  EXPECT_NE(unverifiable_reason(pipe)->find("dead-letter"), std::string::npos);
}

}  // namespace
}  // namespace shardpipe::verify
