// Several writers (processes and threads, each with its own LogWriter) append while shards are
// split and merged: every record must be stored exactly once, in a shard that covers its key,
// with sequence numbers unique across the log and increasing within each shard.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>
#include <thread>

#include "log_test_support.hpp"

namespace shardpipe::local {
namespace {

using testing::LogTest;

constexpr int appends_per_writer = 25;
constexpr int records_per_append = 200;

std::string key_of(int writer, int index) {
  return "w" + std::to_string(writer) + "-key" + std::to_string(index % 16);
}
std::string data_of(int writer, int append, int index) {
  return "w" + std::to_string(writer) + "/" + std::to_string(append * records_per_append + index);
}

// Appends this writer's records; returns false if anything looked wrong.
bool run_writer(const std::filesystem::path& dir, int writer_number) {
  LogWriter writer(dir, {.segment_bytes = 64 * 1024});
  uint64_t previous = 0;
  for (int append = 0; append < appends_per_writer; ++append) {
    std::vector<std::string> keys, data;
    for (int index = 0; index < records_per_append; ++index) {
      keys.push_back(key_of(writer_number, index));
      data.push_back(data_of(writer_number, append, index));
    }
    std::vector<PutRecord> records;
    for (int index = 0; index < records_per_append; ++index) {
      records.push_back({keys[index], data[index]});
    }
    for (const auto& appended : writer.append(records)) {
      if (appended.sequence <= previous) {
        return false;
      }
      previous = appended.sequence;
    }
  }
  return true;
}

// Reshards while the writers run: 2 shards -> split both -> merge the two middle children.
void reshard_while_writing(const std::filesystem::path& dir) {
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  split_shard(dir, "shardId-000000000000");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  split_shard(dir, "shardId-000000000001");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  merge_shards(dir, "shardId-000000000003", "shardId-000000000004");
}

void expect_every_record_once(const std::filesystem::path& dir, int writers) {
  auto layout = LogLayout::load(dir);
  EXPECT_EQ(layout.shards().size(), 7u);
  std::set<uint64_t> sequences;
  std::map<std::string, uint64_t> sequence_of_data;
  for (const auto& shard : layout.shards()) {
    ShardReader reader(dir, shard.shard_id);
    bool shard_end = false;
    auto records = testing::read_until_empty(reader, &shard_end);
    EXPECT_EQ(shard_end, !shard.open()) << shard.shard_id;
    uint64_t previous = 0;
    for (const auto& record : records) {
      EXPECT_GT(record.sequence, previous) << shard.shard_id;
      previous = record.sequence;
      EXPECT_GE(record.sequence, shard.starting_sequence) << shard.shard_id;
      if (shard.ending_sequence) {
        EXPECT_LE(record.sequence, *shard.ending_sequence) << shard.shard_id;
      }
      EXPECT_TRUE(shard.hash_key_range.contains(hash_key(record.key)))
          << shard.shard_id << " " << record.key;
      EXPECT_TRUE(sequences.insert(record.sequence).second)
          << "duplicate sequence " << record.sequence;
      EXPECT_TRUE(sequence_of_data.emplace(record.data, record.sequence).second)
          << "duplicate " << record.data;
    }
  }
  ASSERT_EQ(sequence_of_data.size(),
            static_cast<size_t>(writers * appends_per_writer * records_per_append));
  // Each writer's records were numbered in the order it appended them.
  for (int writer = 0; writer < writers; ++writer) {
    uint64_t previous = 0;
    for (int index = 0; index < appends_per_writer * records_per_append; ++index) {
      uint64_t sequence =
          sequence_of_data.at("w" + std::to_string(writer) + "/" + std::to_string(index));
      EXPECT_GT(sequence, previous);
      previous = sequence;
    }
  }
}

class Concurrency : public LogTest {};

TEST_F(Concurrency, ProcessesAppendWhileShardsAreSplitAndMerged) {
  create_log(dir, 2);
  constexpr int writer_count = 4;
  std::vector<pid_t> children;
  for (int writer = 0; writer < writer_count; ++writer) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      bool ok = false;
      try {
        ok = run_writer(dir, writer);
      } catch (const std::exception& error) {
        fprintf(stderr, "writer %d: %s\n", writer, error.what());
      }
      ::_exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  reshard_while_writing(dir);
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer process failed";
  }
  expect_every_record_once(dir, writer_count);
}

TEST_F(Concurrency, ThreadsAppendWhileAReaderFollowsTheSplitParent) {
  create_log(dir, 2);
  constexpr int writer_count = 3;
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int writer = 0; writer < writer_count; ++writer) {
    threads.emplace_back([&, writer] {
      try {
        if (!run_writer(dir, writer)) {
          ++failures;
        }
      } catch (const std::exception& error) {
        ADD_FAILURE() << error.what();
        ++failures;
      }
    });
  }
  // A reader tails shard 0 from the start while it is written to, split and closed.
  std::vector<testing::OwnedRecord> followed;
  std::thread follower([&] {
    try {
      ShardReader reader(dir, "shardId-000000000000");
      while (true) {
        ReadResult result = reader.read(500, 1 << 20);
        for (const auto& record : result.records) {
          followed.push_back({record.sequence, record.arrival_time_us,
                              std::string(record.partition_key), std::string(record.data)});
        }
        if (result.shard_end) {
          return;
        }
        if (result.records.empty()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      }
    } catch (const std::exception& error) {
      ADD_FAILURE() << error.what();
    }
  });
  reshard_while_writing(dir);
  for (auto& thread : threads) {
    thread.join();
  }
  follower.join();
  EXPECT_EQ(failures.load(), 0);
  expect_every_record_once(dir, writer_count);
  auto stored = testing::read_shard(dir, "shardId-000000000000");
  ASSERT_EQ(followed.size(), stored.size());
  for (size_t index = 0; index < stored.size(); ++index) {
    EXPECT_EQ(followed[index].sequence, stored[index].sequence);
  }
}

}  // namespace
}  // namespace shardpipe::local
