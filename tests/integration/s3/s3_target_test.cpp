// The s3 target against s3rver, read back with the AWS SDK for JavaScript: every record exactly
// once under deterministic keys through SIGKILLs, a replay that rewrites the same keys with the
// same bytes, gzip and zstd objects that decode to the same records, an outage of S3 in the middle
// of delivery, a missing bucket refused at start, and a multipart object read back whole.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "core/json_text.hpp"
#include "local_pipe.hpp"
#include "s3_peer.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
namespace t = shardpipe::testing;
using namespace std::chrono_literals;
using nlohmann::json;

const std::string binary = SHARDPIPE_BINARY;
constexpr const char* bucket = "archive";

struct PipeOptions {
  std::string name = "s3-test";
  std::string prefix = "pipes/";
  int records_per_object = 300;
  std::string compression = "none";
  int batch_size = 100;
  std::string extra_source;  // more lines of the source section, indented by two spaces
  std::string bucket = "archive";
};

// What an object holds, record by record.
struct ObjectRecords {
  std::string key;
  std::vector<t::DeliveredRecord> records;
};

std::vector<ObjectRecords> parse_objects(const std::vector<t::StoredObject>& objects,
                                         bool base64_data = true) {
  std::vector<ObjectRecords> parsed;
  for (const auto& object : objects) {
    ObjectRecords entry{object.key, {}};
    std::istringstream lines(t::object_text(object));
    for (std::string line; std::getline(lines, line);) {
      auto envelope = json::parse(line);
      t::DeliveredRecord record;
      const std::string event_id = envelope.at("eventID");
      record.shard_id = event_id.substr(0, event_id.find(':'));
      record.sequence = std::stoull(envelope.at("sequenceNumber").get<std::string>());
      if (base64_data) {
        if (!base64_decode(envelope.at("data").get<std::string>(), record.data)) {
          throw std::runtime_error("data is not base64 in " + object.key);
        }
      } else {
        record.data = envelope.at("data").dump();
      }
      record.envelope = std::move(envelope);
      record.file = object.key;
      entry.records.push_back(std::move(record));
    }
    parsed.push_back(std::move(entry));
  }
  return parsed;
}

std::vector<t::DeliveredRecord> all_records(const std::vector<ObjectRecords>& objects) {
  std::vector<t::DeliveredRecord> all;
  for (const auto& object : objects)
    all.insert(all.end(), object.records.begin(), object.records.end());
  return all;
}

// Empty when every object is named <prefix><shard>/<its first sequence, 20 digits><suffix>, holds
// records of that shard only, in sequence order, at most `records_per_object` of them.
std::string key_problems(const std::vector<ObjectRecords>& objects, const std::string& prefix,
                         const std::string& suffix, int records_per_object) {
  std::string problems;
  for (const auto& object : objects) {
    if (object.records.empty()) {
      problems += "empty object " + object.key + "\n";
      continue;
    }
    const auto& first = object.records.front();
    const auto expected =
        fmt::format("{}{}/{:020}{}", prefix, first.shard_id, first.sequence, suffix);
    if (object.key != expected) problems += fmt::format("{} should be {}\n", object.key, expected);
    if (object.records.size() > static_cast<size_t>(records_per_object)) {
      problems += fmt::format("{} holds {} records\n", object.key, object.records.size());
    }
    for (size_t i = 1; i < object.records.size(); ++i) {
      if (object.records[i].shard_id != first.shard_id ||
          object.records[i].sequence <= object.records[i - 1].sequence) {
        problems += fmt::format("{}: record {} out of order or of another shard\n", object.key, i);
        break;
      }
    }
  }
  return problems;
}

int count_of(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

class S3Target : public ::testing::Test {
 protected:
  void SetUp() override {
    t::use_s3rver_credentials();
    dir_ = t::fresh_test_dir("s3-target");
    server_ = std::make_unique<t::ListeningPeer>(
        t::start_s3rver(dir_ / "s3", {bucket}, dir_ / "s3rver.log"));
  }
  void TearDown() override {
    server_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  fs::path write_pipe(const PipeOptions& options) {
    auto file = dir_ / (options.name + ".yaml");
    t::write_file(file, fmt::format(R"(name: {}
source:
  type: local
  path: ./log
  batch_size: {}
{}target:
  type: s3
  bucket: {}
  prefix: {}
  endpoint: {}
  records_per_object: {}
  compression: {}
retry: {{backoff_initial: 50ms, backoff_max: 1s}}
checkpoint:
  lease_duration: 2s
shutdown_timeout: 10s
)",
                                    options.name, options.batch_size, options.extra_source,
                                    options.bucket, options.prefix, server_->endpoint(),
                                    options.records_per_object, options.compression));
    return file;
  }

  std::vector<t::PutRecord> put(int first, int count, int keys = 50, int pad = 40) {
    std::vector<std::string> lines;
    for (int i = first; i < first + count; ++i) {
      lines.push_back(fmt::format(R"({{"k":"key-{}","n":{},"pad":"{}"}})", i % keys, i,
                                  std::string(pad, static_cast<char>('a' + i % 26))));
    }
    return t::put_records(binary, dir_ / "log", lines, {"--partition-key-field", "k"});
  }

  std::vector<t::StoredObject> stored(const std::string& prefix = "") {
    return t::read_bucket(server_->endpoint(), bucket, prefix);
  }

  // Files s3rver keeps for objects of `bucket` (a count that grows while a pipe delivers).
  size_t objects_on_disk() {
    size_t count = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir_ / "s3" / bucket, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      count += it->is_regular_file() && it->path().string().ends_with("._S3rver_object");
    }
    return count;
  }

  void kill_while_delivering(const PipeOptions& options);

  fs::path dir_;
  std::unique_ptr<t::ListeningPeer> server_;
};

// Puts 16,000 records into a 2-shard log in chunks, some with pauses long enough for idle shards
// to close objects early, while pipes are started and killed with SIGKILL at random moments (at
// least 3 times); then a final run to the end. Checks that every record is in the bucket once,
// under keys named after each object's first record, and that every shard is checkpointed to
// its end.
void S3Target::kill_while_delivering(const PipeOptions& options) {
  auto seed = static_cast<unsigned>(std::random_device{}());
  if (const char* fixed = std::getenv("SHARDPIPE_TEST_SEED")) seed = std::stoul(fixed);
  std::printf("seed %u (set SHARDPIPE_TEST_SEED to replay)\n", seed);
  std::mt19937 random(seed);

  t::create_log(binary, dir_ / "log", 2);
  auto pipe = write_pipe(options);

  std::vector<t::PutRecord> put;
  std::atomic<bool> producing{true};
  std::string producer_error;
  std::thread producer([&] {
    try {
      for (int chunk = 0; chunk < 16; ++chunk) {
        auto records = this->put(chunk * 1000, 1000);
        put.insert(put.end(), records.begin(), records.end());
        std::this_thread::sleep_for(chunk % 4 == 3 ? 1300ms : 100ms);
      }
    } catch (const std::exception& e) {
      producer_error = e.what();
    }
    producing = false;
  });

  int kills = 0;
  while (producing || kills < 3) {
    pid_t pid = t::spawn_process(
        {binary, "run", pipe.string(), "--worker-id", fmt::format("w{}", kills % 2)},
        dir_ / "pipe.log");
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 1500)(random)));
    ::kill(pid, SIGKILL);
    ASSERT_EQ(t::wait_process(pid), -SIGKILL) << t::read_file(dir_ / "pipe.log");
    ++kills;
  }
  producer.join();
  ASSERT_TRUE(producer_error.empty()) << producer_error;
  const auto before_final = parse_objects(stored());
  std::printf(
      "kills: %d, records put: %zu, objects before the final run: %zu holding %zu records\n", kills,
      put.size(), before_final.size(), all_records(before_final).size());
  EXPECT_GT(before_final.size(), 0u) << "the killed runs should have written objects";

  auto final_run = t::run_until_idle(binary, pipe, "final", "2s");
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;

  auto objects = parse_objects(stored());
  std::printf("objects: %zu\n", objects.size());
  EXPECT_EQ(t::exactly_once(put, all_records(objects)), "");
  EXPECT_EQ(key_problems(objects, options.prefix, ".jsonl", options.records_per_object), "");
  EXPECT_EQ(t::checkpointed_to_the_end(binary, pipe, put), "");
}

TEST_F(S3Target, EveryRecordOnceUnderDeterministicKeysThroughKills) {
  kill_while_delivering({.records_per_object = 200});
}

// The in-flight cap is far below records_per_object, so nearly every object is closed early, where
// a replay would not close it by itself: only the checkpoint written right after each one keeps a
// replay from cutting the records into other objects under other keys.
TEST_F(S3Target, EveryRecordOnceThroughKillsWhenObjectsCloseEarly) {
  kill_while_delivering({.records_per_object = 1000,
                         .batch_size = 50,
                         .extra_source = "  max_in_flight_records: 120\n"});
}

TEST_F(S3Target, AReplayRewritesTheSameKeysWithTheSameBytes) {
  t::create_log(binary, dir_ / "log", 2);
  auto put = this->put(0, 5000);
  const PipeOptions options{.records_per_object = 1000, .compression = "gzip"};
  auto pipe = write_pipe(options);
  auto first = t::run_until_idle(binary, pipe, "w", "1s");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto before = stored();
  const int writes_before = count_of(t::read_file(dir_ / "s3rver.log"), "Stored object");

  auto reset =
      t::run_process({binary, "checkpoint", "set", pipe.string(), "--all", "--to", "TRIM_HORIZON"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  auto second = t::run_until_idle(binary, pipe, "w", "1s");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto after = stored();
  const int writes_after = count_of(t::read_file(dir_ / "s3rver.log"), "Stored object");

  EXPECT_EQ(writes_after, 2 * writes_before) << "the replay should have written every object again";
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].key, before[i].key);
    EXPECT_TRUE(after[i].body == before[i].body) << "different bytes in " << after[i].key;
  }
  auto objects = parse_objects(after);
  EXPECT_EQ(t::exactly_once(put, all_records(objects)), "");
  EXPECT_EQ(key_problems(objects, options.prefix, ".jsonl.gz", options.records_per_object), "");
}

TEST_F(S3Target, GzipAndZstdObjectsDecodeToTheSameRecords) {
  t::create_log(binary, dir_ / "log", 3);
  auto put = this->put(0, 6000);
  std::map<std::string, std::vector<ObjectRecords>> by_compression;
  for (const std::string compression : {"none", "gzip", "zstd"}) {
    const PipeOptions options{.name = "pipe-" + compression,
                              .prefix = compression + "/",
                              .records_per_object = 700,
                              .compression = compression};
    auto done = t::run_until_idle(binary, write_pipe(options), "w", "1s");
    ASSERT_EQ(done.exit_code, 0) << done.err;
    auto objects = stored(options.prefix);
    const std::string suffix = compression == "gzip"   ? ".jsonl.gz"
                               : compression == "zstd" ? ".jsonl.zst"
                                                       : ".jsonl";
    const std::string type = compression == "gzip"   ? "application/gzip"
                             : compression == "zstd" ? "application/zstd"
                                                     : "application/x-ndjson";
    for (const auto& object : objects) EXPECT_EQ(object.content_type, type) << object.key;
    by_compression[compression] = parse_objects(objects);
    EXPECT_EQ(t::exactly_once(put, all_records(by_compression[compression])), "") << compression;
    EXPECT_EQ(key_problems(by_compression[compression], options.prefix, suffix, 700), "");
  }
  // The same records in the same objects, whatever the compression.
  auto envelopes = [](const std::vector<ObjectRecords>& objects) {
    std::vector<std::string> out;
    for (const auto& object : objects) {
      out.push_back(object.key.substr(object.key.find('/') + 1, 41));
      for (const auto& record : object.records) out.push_back(record.envelope.dump());
    }
    return out;
  };
  EXPECT_EQ(envelopes(by_compression["gzip"]), envelopes(by_compression["none"]));
  EXPECT_EQ(envelopes(by_compression["zstd"]), envelopes(by_compression["none"]));
}

TEST_F(S3Target, AnOutageOfS3LosesNothingAndDuplicatesNothing) {
  t::create_log(binary, dir_ / "log", 2);
  auto put = this->put(0, 8000);
  auto pipe = write_pipe({.records_per_object = 100});
  t::BackgroundProcess run(
      {binary, "run", pipe.string(), "--worker-id", "w", "--stop-when-idle", "3s"},
      dir_ / "pipe.log");
  ASSERT_TRUE(t::wait_until([&] { return objects_on_disk() > 0; }, 30s))
      << t::read_file(dir_ / "pipe.log");
  // S3 goes away in the middle of delivery, and more records come while it is away.
  const int port = server_->port();
  server_->process().signal(SIGKILL);
  server_->process().wait_for(10s);
  const size_t written_before_outage = objects_on_disk();
  auto more = this->put(8000, 2000);
  put.insert(put.end(), more.begin(), more.end());
  std::this_thread::sleep_for(3s);
  ASSERT_TRUE(run.running()) << "the pipe must wait for S3, not stop: " << run.output();

  server_ = std::make_unique<t::ListeningPeer>(
      t::start_s3rver(dir_ / "s3", {bucket}, dir_ / "s3rver-restarted.log", port));
  auto exit_code = run.wait_for(45s);
  ASSERT_TRUE(exit_code.has_value()) << "the pipe did not finish after S3 came back";
  ASSERT_EQ(*exit_code, 0) << run.output();
  EXPECT_NE(run.output().find("retrying"), std::string::npos)
      << "the outage should have failed deliveries: " << run.output();
  std::printf("objects before the outage: %zu\n", written_before_outage);

  auto objects = parse_objects(stored());
  EXPECT_EQ(t::exactly_once(put, all_records(objects)), "");
  EXPECT_EQ(key_problems(objects, "pipes/", ".jsonl", 100), "");
  EXPECT_EQ(t::checkpointed_to_the_end(binary, pipe, put), "");
}

TEST_F(S3Target, AMissingBucketIsAClearErrorAtStart) {
  t::create_log(binary, dir_ / "log", 1);
  auto put = this->put(0, 10);
  auto pipe = write_pipe({.bucket = "no-such-bucket"});
  const auto started = std::chrono::steady_clock::now();
  auto done = t::run_process_for(30s, {binary, "run", pipe.string(), "--stop-when-idle", "1s"});
  EXPECT_LT(std::chrono::steady_clock::now() - started, 15s);
  EXPECT_EQ(done.exit_code, 1) << done.err;
  EXPECT_NE(done.err.find("the S3 bucket 'no-such-bucket' does not exist"), std::string::npos)
      << done.err;
  EXPECT_NE(done.err.find("NoSuchBucket"), std::string::npos) << done.err;
  for (const auto& [shard, checkpoint] : t::checkpoints(binary, pipe)) {
    EXPECT_FALSE(t::is_sequence(checkpoint)) << shard << " moved to " << checkpoint;
  }
  EXPECT_TRUE(stored().empty());
}

TEST_F(S3Target, AMultipartObjectReadsBackWhole) {
  // 2,300 records of about 9 KB: one object of about 21 MB, above the 16 MiB threshold, so it
  // goes in three parts of 8 MiB, 8 MiB and the rest.
  t::create_log(binary, dir_ / "log", 1);
  auto put = this->put(0, 2300, 50, 9000);
  auto pipe = write_pipe({.records_per_object = 2300,
                          .batch_size = 500,
                          .extra_source = "  data_encoding: json\n  on_decode_error: fail\n"});
  auto done = t::run_until_idle(binary, pipe, "w", "1s");
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto objects = stored();
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_GT(objects[0].body.size(), 16u << 20);
  auto parsed = parse_objects(objects, /*base64_data=*/false);
  ASSERT_EQ(parsed[0].records.size(), put.size());
  for (size_t i = 0; i < put.size(); ++i) {
    ASSERT_EQ(json::parse(parsed[0].records[i].data), json::parse(put[i].data)) << "record " << i;
    ASSERT_EQ(parsed[0].records[i].sequence, put[i].sequence);
  }
  EXPECT_EQ(key_problems(parsed, "pipes/", ".jsonl", 2300), "");
  const auto server_log = t::read_file(dir_ / "s3rver.log");
  EXPECT_EQ(count_of(server_log, "Stored part "), 3) << "the object should have gone in 3 parts";
}

}  // namespace
}  // namespace shardpipe
