#include "log_test_support.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace shardpipe::local::testing {

void LogTest::SetUp() {
  std::string pattern = (std::filesystem::temp_directory_path() / "local-log-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  root = pattern;
  dir = root / "log";
}

void LogTest::TearDown() {
  std::error_code ignored;
  std::filesystem::remove_all(root, ignored);
}

std::vector<OwnedRecord> read_until_empty(ShardReader& reader, bool* shard_end, size_t batch) {
  std::vector<OwnedRecord> records;
  while (true) {
    ReadResult result = reader.read(batch, 64u << 20);
    for (const auto& record : result.records) {
      records.push_back({record.sequence, record.arrival_time_us, std::string(record.partition_key),
                         std::string(record.data)});
    }
    if (shard_end != nullptr) {
      *shard_end = result.shard_end;
    }
    if (result.shard_end || result.records.empty()) {
      return records;
    }
  }
}

std::vector<OwnedRecord> read_shard(const std::filesystem::path& dir, const std::string& shard_id) {
  ShardReader reader(dir, shard_id);
  return read_until_empty(reader);
}

std::vector<Appended> append_all(LogWriter& writer, const std::string& key,
                                 const std::vector<std::string>& data) {
  std::vector<PutRecord> records;
  for (const auto& datum : data) {
    records.push_back({key, datum});
  }
  return writer.append(records);
}

std::vector<std::string> numbered(const std::string& prefix, int count, size_t width) {
  std::vector<std::string> data;
  for (int index = 0; index < count; ++index) {
    std::string text = prefix + std::to_string(index);
    if (text.size() < width) {
      text.append(width - text.size(), '.');
    }
    data.push_back(text);
  }
  return data;
}

std::vector<std::filesystem::path> segment_files(const std::filesystem::path& dir,
                                                 const std::string& shard_id) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "shards" / shard_id)) {
    if (entry.path().extension() == ".seg") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string key_for_shard(const std::filesystem::path& dir, const std::string& shard_id) {
  auto layout = LogLayout::load(dir);
  const ShardMeta* shard = layout.find(shard_id);
  if (shard == nullptr) {
    throw std::runtime_error("no shard " + shard_id);
  }
  for (int attempt = 0;; ++attempt) {
    std::string key = "key-" + std::to_string(attempt);
    if (shard->hash_key_range.contains(hash_key(key))) {
      return key;
    }
  }
}

uint64_t file_bytes(const std::filesystem::path& path) {
  return std::filesystem::file_size(path);
}

void truncate_to(const std::filesystem::path& path, uint64_t size) {
  std::filesystem::resize_file(path, size);
}

void flip_byte(const std::filesystem::path& path, uint64_t offset) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(static_cast<std::streamoff>(offset));
  char byte = 0;
  file.get(byte);
  file.seekp(static_cast<std::streamoff>(offset));
  file.put(static_cast<char>(byte ^ 0x5a));
}

void write_at(const std::filesystem::path& path, uint64_t offset, const std::string& bytes) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(static_cast<std::streamoff>(offset));
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

}  // namespace shardpipe::local::testing
