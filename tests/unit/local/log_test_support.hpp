// Helpers shared by the local log tests: a fresh log folder per test, reading whole shards,
// and poking at segment files the way a crash or a disk would.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sources/local/local_log.hpp"

namespace shardpipe::local::testing {

// A test with an empty folder `root` and a log path `dir` (not created) inside it.
class LogTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::filesystem::path root;
  std::filesystem::path dir;
};

struct OwnedRecord {
  uint64_t sequence = 0;
  int64_t arrival_time_us = 0;
  std::string key;
  std::string data;
};

// Reads from the reader's position until it returns nothing (or the shard ends).
std::vector<OwnedRecord> read_until_empty(ShardReader& reader, bool* shard_end = nullptr,
                                          size_t batch = 1000);
std::vector<OwnedRecord> read_shard(const std::filesystem::path& dir, const std::string& shard_id);

// Appends one record per datum, all with `key`.
std::vector<Appended> append_all(LogWriter& writer, const std::string& key,
                                 const std::vector<std::string>& data);

std::vector<std::string> numbered(const std::string& prefix, int count, size_t width = 0);

std::vector<std::filesystem::path> segment_files(const std::filesystem::path& dir,
                                                 const std::string& shard_id);
// A partition key that routes to `shard_id` in the current layout.
std::string key_for_shard(const std::filesystem::path& dir, const std::string& shard_id);

uint64_t file_bytes(const std::filesystem::path& path);
void truncate_to(const std::filesystem::path& path, uint64_t size);
void flip_byte(const std::filesystem::path& path, uint64_t offset);
void write_at(const std::filesystem::path& path, uint64_t offset, const std::string& bytes);
std::string read_file(const std::filesystem::path& path);

// Bytes a frame takes on disk.
constexpr uint64_t frame_bytes(size_t key, size_t data) {
  return 8 + 20 + key + data;
}

}  // namespace shardpipe::local::testing
