// A corrupted frame in the middle of a local log segment stops the pipe with status 1 and a
// message naming the segment file and the frame's byte offset. The checkpoint never passes the
// corrupted record, so once the segment is repaired a new run delivers every record exactly once:
// the failure lost nothing and skipped nothing, in the corrupted shard or the others.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>

#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using shardpipe::testing::fresh_test_dir;
using shardpipe::testing::PutRecord;
using shardpipe::testing::read_file;
using shardpipe::testing::run_process_for;
using shardpipe::testing::write_file;

const std::string binary = SHARDPIPE_BINARY;
constexpr const char* corrupted_shard = "shardId-000000000000";

struct Frame {
  size_t offset = 0;  // of the frame header in the segment
  uint32_t length = 0;
  uint64_t sequence = 0;
};

// Frames are `u32 length | u32 crc32c | payload`, little-endian; the payload starts with the u64
// sequence number.
std::vector<Frame> frames_of(const std::string& segment) {
  std::vector<Frame> frames;
  size_t offset = 0;
  while (offset + 8 <= segment.size()) {
    Frame frame;
    frame.offset = offset;
    std::memcpy(&frame.length, segment.data() + offset, 4);
    std::memcpy(&frame.sequence, segment.data() + offset + 8, 8);
    frames.push_back(frame);
    offset += 8 + frame.length;
  }
  return frames;
}

struct Corruption {
  fs::path segment;
  size_t byte = 0;  // the flipped byte
  Frame frame;      // the frame it is in
};

// Flips the last data byte of the frame in the middle of the shard's only segment.
Corruption corrupt_middle_frame(const fs::path& log_dir, const std::string& shard_id) {
  Corruption corruption;
  for (const auto& entry : fs::directory_iterator(log_dir / "shards" / shard_id)) {
    if (entry.path().extension() == ".seg") corruption.segment = entry.path();
  }
  auto bytes = read_file(corruption.segment);
  auto frames = frames_of(bytes);
  corruption.frame = frames.at(frames.size() / 2);
  corruption.byte = corruption.frame.offset + 8 + corruption.frame.length - 1;
  bytes[corruption.byte] = static_cast<char>(bytes[corruption.byte] ^ 0x5a);
  write_file(corruption.segment, bytes);
  return corruption;
}

void undo(const Corruption& corruption) {
  auto bytes = read_file(corruption.segment);
  bytes[corruption.byte] = static_cast<char>(bytes[corruption.byte] ^ 0x5a);
  write_file(corruption.segment, bytes);
}

struct Fixture {
  fs::path dir;
  fs::path pipe;
  std::vector<PutRecord> put;
};

Fixture make_fixture(const std::string& name, const std::string& lease) {
  Fixture f;
  f.dir = fresh_test_dir(name);
  f.pipe = f.dir / "pipe.yaml";
  auto created =
      run_process_for(30s, {binary, "log", "create", (f.dir / "log").string(), "--shards", "2"});
  if (created.exit_code != 0) throw std::runtime_error(created.err);
  std::vector<std::string> lines;
  for (int i = 0; i < 40; ++i) lines.push_back(fmt::format(R"({{"k":"key-{}","n":{}}})", i, i));
  f.put =
      shardpipe::testing::put_records(binary, f.dir / "log", lines, {"--partition-key-field", "k"});
  write_file(f.pipe, fmt::format(R"(name: corrupt
source:
  type: local
  path: ./log
  batch_size: 4
target:
  type: file
  path: ./out
  records_per_file: 3
retry: {{backoff_initial: 50ms, backoff_max: 500ms}}
checkpoint:
  lease_duration: {}
)",
                                 lease));
  return f;
}

TEST(CorruptedSegment, FailsNamingTheFileAndOffsetAndLosesNothing) {
  auto f = make_fixture("corrupt-segment", "1s");
  ASSERT_GE(shardpipe::testing::in_shard(f.put, corrupted_shard).size(), 8u)
      << "keys should reach both shards";
  ASSERT_GE(shardpipe::testing::in_shard(f.put, "shardId-000000000001").size(), 8u);
  auto corruption = corrupt_middle_frame(f.dir / "log", corrupted_shard);

  auto failed = run_process_for(
      60s, {binary, "run", f.pipe.string(), "--worker-id", "first", "--stop-when-idle", "1s"});
  ASSERT_FALSE(failed.timed_out) << "a corrupted segment must stop the pipe\n" << failed.err;
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_NE(failed.err.find(corruption.segment.string()), std::string::npos)
      << "the message must name the segment file\n"
      << failed.err;
  EXPECT_NE(failed.err.find(fmt::format("offset {}", corruption.frame.offset)), std::string::npos)
      << "the message must give the corrupted frame's byte offset " << corruption.frame.offset
      << "\n"
      << failed.err;

  // Records before the corrupted one may have been delivered; it and everything after it not.
  auto delivered = shardpipe::testing::read_file_target(f.dir / "out");
  for (const auto& record : delivered) {
    if (record.shard_id == corrupted_shard) {
      EXPECT_LT(record.sequence, corruption.frame.sequence)
          << "delivered past the corrupted record";
    }
  }
  auto stored = shardpipe::testing::checkpoints(binary, f.pipe);
  ASSERT_TRUE(stored.contains(corrupted_shard));
  if (shardpipe::testing::is_sequence(stored[corrupted_shard])) {
    EXPECT_LT(std::stoull(stored[corrupted_shard]), corruption.frame.sequence)
        << "the checkpoint passed the corrupted record";
  }
  EXPECT_EQ(shardpipe::testing::checkpoints_covered(f.put, delivered, stored), "");
  auto status = shardpipe::testing::status_json(binary, f.pipe);
  for (const auto& shard : status["shards"]) {
    if (shard["shardId"] == corrupted_shard) {
      EXPECT_EQ(shard["state"], "open") << shard.dump();
    }
  }

  // Repair the byte: a new run (another worker, once the old lease has lapsed) delivers the rest,
  // so together the runs hold every record of both shards exactly once.
  undo(corruption);
  auto repaired = run_process_for(
      60s, {binary, "run", f.pipe.string(), "--worker-id", "second", "--stop-when-idle", "1s"});
  ASSERT_EQ(repaired.exit_code, 0) << repaired.err;
  EXPECT_EQ(
      shardpipe::testing::exactly_once(f.put, shardpipe::testing::read_file_target(f.dir / "out")),
      "");
  EXPECT_TRUE(shardpipe::testing::stray_files(f.dir / "out").empty());
  if (!HasFailure()) fs::remove_all(f.dir);
}

TEST(CorruptedSegment, ReadingTheLogDirectlyReportsTheSameCorruption) {
  auto f = make_fixture("corrupt-segment-get", "1s");
  auto corruption = corrupt_middle_frame(f.dir / "log", corrupted_shard);
  auto got = run_process_for(
      30s, {binary, "log", "get", (f.dir / "log").string(), "--shard", corrupted_shard});
  EXPECT_EQ(got.exit_code, 1) << got.err;
  EXPECT_NE(got.err.find(corruption.segment.filename().string()), std::string::npos) << got.err;
  EXPECT_NE(got.err.find(fmt::format("offset {}", corruption.frame.offset)), std::string::npos)
      << got.err;
  // The other shard reads in full.
  auto other = run_process_for(
      30s, {binary, "log", "get", (f.dir / "log").string(), "--shard", "shardId-000000000001"});
  EXPECT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(static_cast<size_t>(std::count(other.out.begin(), other.out.end(), '\n')),
            shardpipe::testing::in_shard(f.put, "shardId-000000000001").size());
  if (!HasFailure()) fs::remove_all(f.dir);
}

// A run that stops with status 1 should not leave its leases looking held by a live worker:
// `status` would show an owner that is gone, and `checkpoint set` would wait for it to adopt a
// reset. (With the default lease_duration of 10s both last that long after the exit.)
TEST(CorruptedSegment, FailedRunReleasesItsLeases) {
  auto f = make_fixture("corrupt-segment-lease", "30s");
  corrupt_middle_frame(f.dir / "log", corrupted_shard);
  auto failed = run_process_for(
      60s, {binary, "run", f.pipe.string(), "--worker-id", "gone", "--stop-when-idle", "1s"});
  ASSERT_EQ(failed.exit_code, 1) << failed.err;
  auto status = shardpipe::testing::status_json(binary, f.pipe);
  for (const auto& shard : status["shards"]) {
    EXPECT_TRUE(shard["leaseOwner"].is_null()) << "the exited worker still holds " << shard.dump();
  }
  auto set = run_process_for(30s, {binary, "checkpoint", "set", f.pipe.string(), "--shard",
                                   corrupted_shard, "--to", "TRIM_HORIZON"});
  EXPECT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(set.out.find("pending"), std::string::npos) << "no worker is running, yet: " << set.out;
  if (!HasFailure()) fs::remove_all(f.dir);
}

}  // namespace
}  // namespace shardpipe
