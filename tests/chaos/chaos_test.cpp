// The chaos suite: for each source (local log, Kinesis on kinesalite, DynamoDB Streams on
// DynamoDB Local, Kafka on librdkafka's mock cluster), a pipe into the file target is SIGKILLed at
// random moments and restarted while a producer keeps writing, the target folder goes away for
// random moments, and poison records arrive where the source allows them. A final run to idle must
// leave every valid record in the file target exactly once and every poison record in the dead
// letters.
//
// CHAOS_SEED replays a run's random choices, CHAOS_KILLS and CHAOS_RECORDS make it longer.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdio.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "base64.hpp"
#include "dynamodb_peer.hpp"
#include "dynamodb_streams_pipe.hpp"
#include "dynamodb_streams_test.hpp"
#include "kafka_mock_cluster.hpp"
#include "kinesis_peer.hpp"
#include "local_pipe.hpp"
#include "network_namespace.hpp"
#include "process.hpp"

namespace shardpipe::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string binary = SHARDPIPE_BINARY;

// DynamoDB Local binds every interface, so every server of this program lives in a private
// network namespace.
[[maybe_unused]] ::testing::Environment* const private_network_namespace =
    ::testing::AddGlobalTestEnvironment(new PrivateNetworkWithDynamoDbLocal);

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::stoi(value) : fallback;
}

struct Settings {
  unsigned seed = 0;
  int kills = 20;
  int records = 0;
};

Settings settings(int default_records) {
  Settings s;
  s.seed = static_cast<unsigned>(std::random_device{}());
  if (const char* fixed = std::getenv("CHAOS_SEED"); fixed && *fixed)
    s.seed = static_cast<unsigned>(std::stoul(fixed));
  s.kills = env_int("CHAOS_KILLS", 20);
  s.records = env_int("CHAOS_RECORDS", default_records);
  return s;
}

// Sleeps up to `duration`; returns early (false) once `stop` is set.
bool sleep_unless(const std::atomic<bool>& stop, std::chrono::milliseconds duration) {
  auto until = Clock::now() + duration;
  while (Clock::now() < until) {
    if (stop) return false;
    std::this_thread::sleep_for(std::min<Clock::duration>(20ms, until - Clock::now()));
  }
  return !stop;
}

// An outage of the file target: the output folder and a regular file swap names atomically
// (renameat2 RENAME_EXCHANGE), so every path under the target is "Not a directory" until they
// swap back. Root ignores permissions, but not this; and no write can slip into a fresh folder
// between the two names, which a remove-then-create would allow.
class TargetOutage {
 public:
  explicit TargetOutage(fs::path out) : out_(std::move(out)), away_(out_.string() + ".away") {
    fs::create_directories(out_);
    write_file(away_, "the target folder is away\n");
  }
  ~TargetOutage() {
    if (active_) swap();
  }
  TargetOutage(const TargetOutage&) = delete;
  TargetOutage& operator=(const TargetOutage&) = delete;

  void begin() {
    swap();
    active_ = true;
  }
  void end() {
    swap();
    active_ = false;
  }

 private:
  void swap() {
    if (::renameat2(AT_FDCWD, out_.c_str(), AT_FDCWD, away_.c_str(), RENAME_EXCHANGE) != 0) {
      throw std::runtime_error(fmt::format("swapping {} and {}: {}", out_.string(), away_.string(),
                                           std::strerror(errno)));
    }
  }

  fs::path out_, away_;
  bool active_ = false;
};

// What one source brings to the run.
struct Source {
  std::string name;
  fs::path dir;
  fs::path pipe;
  fs::path final_pipe;  // the pipe file of the final run, when it differs from `pipe`
  // Writes records [first, first + count) and remembers them; throws when it fails. Called on
  // the producer thread only.
  std::function<void(int first, int count)> put_chunk;
  // The identity of a delivered envelope, as put_chunk remembers it in `valid`.
  std::function<std::string(const nlohmann::json& envelope)> id_of;
  std::set<std::string> valid;   // ids of the valid records written
  std::set<std::string> poison;  // exact bytes of the poison records written
  // How long each run lives before its SIGKILL: long enough to get work done after a restart.
  std::chrono::milliseconds shortest_run{100};
  std::chrono::milliseconds longest_run{1500};
};

std::vector<nlohmann::json> read_jsonl(const fs::path& folder) {
  std::vector<nlohmann::json> lines;
  for (const auto& file : file_target_files(folder)) {
    std::istringstream text(read_file(file));
    for (std::string line; std::getline(text, line);) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// A record of the local log or Kinesis: valid JSON, or (with probability 1%) the same cut short.
struct Line {
  std::string key;
  std::string data;
  bool poison = false;
};
Line make_line(int n, std::mt19937& random) {
  Line line{fmt::format("key-{}", n % 64), "", std::bernoulli_distribution(0.01)(random)};
  // Fields in the order nlohmann::json dumps them, so a valid record's id is its data.
  line.data = line.poison ? fmt::format(R"({{"k":"{}","n":{},"poison":)", line.key, n)
                          : fmt::format(R"({{"k":"{}","n":{}}})", line.key, n);
  return line;
}

// Records [first, first + count) as make_line makes them.
std::vector<Line> make_lines(int first, int count, std::mt19937& random) {
  std::vector<Line> lines;
  for (int n = first; n < first + count; ++n) lines.push_back(make_line(n, random));
  return lines;
}

// Once the source took them: which records must be delivered, and which dead-lettered.
void remember(Source& source, const std::vector<Line>& lines) {
  for (const auto& line : lines) (line.poison ? source.poison : source.valid).insert(line.data);
}

std::string data_id(const nlohmann::json& envelope) {
  return envelope.at("data").dump();
}

void run_chaos(Source& source, const Settings& s) {
  std::printf("chaos %s seed=%u (CHAOS_SEED=%u replays it) kills=%d records=%d\n",
              source.name.c_str(), s.seed, s.seed, s.kills, s.records);
  std::fflush(stdout);
  auto started = Clock::now();
  std::mt19937 kill_random(s.seed);
  std::mt19937 outage_random(s.seed ^ 0x9e3779b9u);
  const auto pipe_log = source.dir / "pipe.log";
  const auto out = source.dir / "out";

  // The producer spreads the records over about as many chunks as there are kills.
  std::atomic<bool> producing{true};
  std::string producer_error;
  std::thread producer([&] {
    const int chunks = std::max(1, s.kills);
    const int chunk = std::max(1, (s.records + chunks - 1) / chunks);
    try {
      for (int first = 0; first < s.records; first += chunk) {
        source.put_chunk(first, std::min(chunk, s.records - first));
        std::this_thread::sleep_for(300ms);
      }
    } catch (const std::exception& e) {
      producer_error = e.what();
    }
    producing = false;
  });

  TargetOutage outage(out);
  std::atomic<bool> chaos_over{false};
  int outages = 0;
  std::string outage_error;
  std::thread outages_thread([&] {
    std::uniform_int_distribution<int> gap_ms(200, 1500), length_ms(100, 1000);
    try {
      while (sleep_unless(chaos_over, std::chrono::milliseconds(gap_ms(outage_random)))) {
        outage.begin();
        ++outages;
        std::this_thread::sleep_for(std::chrono::milliseconds(length_ms(outage_random)));
        outage.end();
      }
    } catch (const std::exception& e) {
      outage_error = e.what();
    }
  });

  int kills = 0;
  std::uniform_int_distribution<int> pause_ms(static_cast<int>(source.shortest_run.count()),
                                              static_cast<int>(source.longest_run.count()));
  while (producing || kills < s.kills) {
    pid_t pid =
        spawn_process({binary, "run", source.pipe.string(), "--worker-id", "chaos"}, pipe_log);
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(kill_random)));
    ::kill(pid, SIGKILL);
    int status = wait_process(pid);
    ++kills;
    if (status != -SIGKILL) {
      ADD_FAILURE() << "the pipe exited " << status << " before it was killed\n"
                    << read_file(pipe_log);
      break;
    }
  }
  chaos_over = true;
  outages_thread.join();
  producer.join();
  ASSERT_TRUE(producer_error.empty()) << producer_error;
  ASSERT_TRUE(outage_error.empty()) << outage_error;
  auto chaos_time = Clock::now() - started;
  // The killed runs must have done real work, or the kills tested nothing.
  const size_t delivered_while_killed = read_jsonl(out).size();

  const auto& final_pipe = source.final_pipe.empty() ? source.pipe : source.final_pipe;
  auto final_run = run_process_for(
      180s, {binary, "run", final_pipe.string(), "--worker-id", "chaos", "--stop-when-idle", "3s"});
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;

  // Every valid record exactly once in the target, nothing else there.
  std::map<std::string, int> seen;
  for (const auto& envelope : read_jsonl(out)) ++seen[source.id_of(envelope)];
  size_t lost = 0, duplicates = 0, unexpected = 0;
  std::string problems;
  for (const auto& id : source.valid) {
    if (!seen.contains(id) && ++lost <= 5) problems += "lost " + id + "\n";
  }
  for (const auto& [id, count] : seen) {
    if (count > 1 && (duplicates += static_cast<size_t>(count - 1)) <= 5)
      problems += fmt::format("{} times: {}\n", count, id);
    if (!source.valid.contains(id) && ++unexpected <= 5) problems += "unexpected " + id + "\n";
  }

  // Every poison record in the dead letters (at least once: they are at least once), and
  // nothing else there.
  std::set<std::string> dead;
  for (const auto& entry : read_jsonl(source.dir / "dlq")) {
    EXPECT_EQ(entry.value("condition", ""), "DecodeError") << entry.dump();
    dead.insert(decode_base64(entry.at("record").at("rawData").get<std::string>()));
  }
  size_t poison_missing = 0;
  for (const auto& poison : source.poison) {
    if (!dead.contains(poison) && ++poison_missing <= 5)
      problems += "poison not dead-lettered: " + poison + "\n";
  }
  for (const auto& entry : dead) {
    if (!source.poison.contains(entry)) problems += "dead-lettered but not poison: " + entry + "\n";
  }

  auto noticed =
      occurrences(read_file(pipe_log) + final_run.out + final_run.err, "Not a directory");
  std::printf(
      "chaos %s: %zu valid + %zu poison records, %.1f s of chaos, %.1f s in all, "
      "%zu delivered before the final run, %zu outage warnings\n",
      source.name.c_str(), source.valid.size(), source.poison.size(),
      std::chrono::duration<double>(chaos_time).count(),
      std::chrono::duration<double>(Clock::now() - started).count(), delivered_while_killed,
      noticed);
  std::printf(
      "chaos %s seed=%u records=%zu kills=%d outages=%d poison=%zu lost=%zu duplicates=%zu\n",
      source.name.c_str(), s.seed, source.valid.size(), kills, outages, source.poison.size(), lost,
      duplicates);
  std::fflush(stdout);

  EXPECT_EQ(lost, 0u) << problems;
  EXPECT_EQ(duplicates, 0u) << problems;
  EXPECT_EQ(unexpected, 0u) << problems;
  EXPECT_EQ(poison_missing, 0u) << problems;
  EXPECT_EQ(dead.size(), source.poison.size()) << problems;
  EXPECT_GE(kills, s.kills);
  EXPECT_GT(delivered_while_killed, source.valid.size() / 4)
      << "the killed runs delivered almost nothing";
  EXPECT_GT(outages, 0);
  EXPECT_GT(noticed, 0u) << "no outage hit a delivery; the target was never down for the pipe";
  EXPECT_TRUE(stray_files(out).empty()) << "temporary files left behind";
}

TEST(Chaos, LocalLog) {
  auto s = settings(20000);
  Source source;
  source.name = "local";
  source.dir = fresh_test_dir("chaos-local");
  source.pipe = source.dir / "pipe.yaml";
  create_log(binary, source.dir / "log", 4);
  write_file(source.pipe, R"(name: chaos-local
source:
  type: local
  path: ./log
  data_encoding: json
  batch_size: 200
target:
  type: file
  path: ./out
  records_per_file: 100
dead_letter:
  type: file
  path: ./dlq
retry: {backoff_initial: 50ms, backoff_max: 500ms}
checkpoint:
  lease_duration: 2s
shutdown_timeout: 3s
)");
  std::mt19937 poison_random(s.seed + 2);
  source.put_chunk = [&](int first, int count) {
    auto lines = make_lines(first, count, poison_random);
    std::string input;
    for (const auto& line : lines) input += line.data + "\n";
    auto put = run_process_for(
        60s, {binary, "log", "put", (source.dir / "log").string(), "--partition-key-field", "k"},
        input);
    if (put.exit_code != 0) throw std::runtime_error("log put failed: " + put.err);
    remember(source, lines);
  };
  source.id_of = data_id;
  run_chaos(source, s);
  if (!HasFailure()) fs::remove_all(source.dir);
}

TEST(Chaos, Kinesis) {
  auto s = settings(10000);
  Source source;
  source.name = "kinesis";
  source.dir = fresh_test_dir("chaos-kinesis");
  source.pipe = source.dir / "pipe.yaml";
  use_test_credentials();
  ListeningPeer kinesalite = start_kinesalite(source.dir);
  const std::string endpoint = kinesalite.endpoint();
  create_stream(endpoint, "chaos", 4);
  write_file(source.pipe, fmt::format(R"(name: chaos-kinesis
source:
  type: kinesis
  stream: chaos
  endpoint: {}
  data_encoding: json
  batch_size: 200
target:
  type: file
  path: ./out
  records_per_file: 100
dead_letter:
  type: file
  path: ./dlq
retry: {{backoff_initial: 50ms, backoff_max: 500ms}}
checkpoint:
  lease_duration: 3s
shutdown_timeout: 3s
)",
                                      endpoint));
  std::mt19937 poison_random(s.seed + 2);
  const auto peers = fs::path(SHARDPIPE_SOURCE_DIR) / "tests" / "peers";
  const auto script = fs::path(SHARDPIPE_SOURCE_DIR) / "tests" / "chaos" / "kinesis_put_lines.js";
  source.put_chunk = [&](int first, int count) {
    auto lines = make_lines(first, count, poison_random);
    std::string input;
    for (const auto& line : lines) input += line.key + "\t" + line.data + "\n";
    auto put = run_process_for(
        120s, {"/usr/bin/env", "node", script.string(), peers.string(), endpoint, "chaos"}, input);
    if (put.exit_code != 0) throw std::runtime_error("putting into kinesalite failed: " + put.err);
    if (occurrences(put.out, "\n") != lines.size())
      throw std::runtime_error("kinesalite did not take every record:\n" + put.out);
    remember(source, lines);
  };
  source.id_of = data_id;
  run_chaos(source, s);
  if (!HasFailure()) fs::remove_all(source.dir);
}

// Kafka: a consumer group member killed without leaving the group. A short session timeout (the
// mock cluster allows it) lets each restart take the partitions back within about a second.
//
// The final run's session is longer: the mock cluster (librdkafka 2.0.2) holds the first JoinGroup
// into an empty group for 3 s, but expires a member whose session ends while it waits, and never
// answers its JoinGroup. When the killed members' sessions had already ended (a slow machine),
// a final run with a 1.5 s session waited for that answer until the test gave up. A real broker
// does not expire a member while it waits in JoinGroup.
TEST(Chaos, Kafka) {
  auto s = settings(20000);
  Source source;
  source.name = "kafka";
  source.dir = fresh_test_dir("chaos-kafka");
  source.pipe = source.dir / "pipe.yaml";
  source.final_pipe = source.dir / "final-pipe.yaml";
  KafkaMockCluster cluster;
  cluster.create_topic("chaos", 6);
  auto pipe_file = [&](int session_timeout_ms) {
    return fmt::format(R"(name: chaos-kafka
source:
  type: kafka
  bootstrap_servers: "{}"
  topics: [chaos]
  data_encoding: json
  batch_size: 200
  properties: {{ session.timeout.ms: "{}", heartbeat.interval.ms: "300" }}
target:
  type: file
  path: ./out
  records_per_file: 100
dead_letter:
  type: file
  path: ./dlq
retry: {{backoff_initial: 50ms, backoff_max: 500ms}}
metrics: {{listen: "off"}}
shutdown_timeout: 3s
)",
                       cluster.bootstraps(), session_timeout_ms);
  };
  write_file(source.pipe, pipe_file(1500));
  write_file(source.final_pipe, pipe_file(6000));
  std::mt19937 poison_random(s.seed + 3);
  source.put_chunk = [&](int first, int count) {
    auto lines = make_lines(first, count, poison_random);
    std::vector<std::pair<std::string, std::string>> messages;
    for (const auto& line : lines) messages.emplace_back(line.key, line.data);
    kcat_produce(cluster.bootstraps(), "chaos", messages);
    remember(source, lines);
  };
  source.id_of = [](const nlohmann::json& envelope) { return envelope.at("value").dump(); };
  // A restarted member waits for the killed one's session to end before the group rebalances.
  source.shortest_run = 1500ms;
  source.longest_run = 4000ms;
  run_chaos(source, s);
  if (!HasFailure()) fs::remove_all(source.dir);
}

// A producer cannot make a DynamoDB Streams record that is not valid JSON (the service writes
// the records), so this run has no poison records.
TEST(Chaos, DynamoDbStreams) {
  ASSERT_TRUE(in_private_network_namespace());
  auto s = settings(2000);
  ::setenv("AWS_ACCESS_KEY_ID", "AKIDSHARDPIPETEST", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "test-secret", 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  ::setenv("AWS_REGION", "us-east-1", 1);
  Source source;
  source.name = "dynamodb_streams";
  source.dir = fresh_test_dir("chaos-dynamodb");
  const std::string endpoint = shared_dynamodb_local().endpoint();
  const std::string table = fmt::format("chaos-{}", s.seed);
  std::string arn = create_table(endpoint, table);
  DynamoDbPipeOptions options;
  options.endpoint = endpoint;
  options.stream = arn;
  options.name = "chaos-dynamodb";
  options.target = "target:\n  type: file\n  path: ./out\n  records_per_file: 50\n";
  source.pipe = write_dynamodb_pipe(source.dir, options);
  // Every item put is one INSERT record.
  source.put_chunk = [&](int first, int count) {
    for (const auto& item : put_items(endpoint, table, count, 64, first))
      source.valid.insert("INSERT " + item.pk + "/" + item.sk);
  };
  source.id_of = [](const nlohmann::json& envelope) {
    return envelope.value("eventName", "") + " " + item_of(envelope);
  };
  run_chaos(source, s);
  if (!HasFailure()) fs::remove_all(source.dir);
}

}  // namespace
}  // namespace shardpipe::testing
