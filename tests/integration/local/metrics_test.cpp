// The metrics endpoint of a running pipe: Prometheus text with the contract's names whose totals
// match the records put, /healthz, /status, and the bearer token.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>

#include "local_pipe.hpp"
#include "net/http_client.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace t = shardpipe::testing;
using namespace std::chrono_literals;
using shardpipe::testing::BackgroundProcess;

const std::string binary = SHARDPIPE_BINARY;

// The value of the sample written exactly as `series` (name and labels), if present.
std::optional<double> sample(const std::string& exposition, const std::string& series) {
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

// The port the pipe logged for its metrics endpoint, once it has.
std::optional<int> logged_port(const std::string& output) {
  std::smatch match;
  static const std::regex pattern(R"(metrics at http://127\.0\.0\.1:(\d+)/metrics)");
  if (!std::regex_search(output, match, pattern)) return std::nullopt;
  return std::stoi(match[1]);
}

// `run` of a pipe file with `metrics.listen` on port 0, and GETs to the port it logged.
class ObservedRun {
 public:
  explicit ObservedRun(const std::filesystem::path& pipe_file)
      : process_({binary, "run", pipe_file.string(), "--worker-id", "w1"},
                 pipe_file.parent_path() / "pipe.log") {}

  // False when the pipe did not log its metrics address in time.
  bool wait_for_port() {
    return t::wait_until([&] { return (port_ = logged_port(process_.output())).has_value(); }, 15s);
  }
  net::Response get(const std::string& path, const std::string& token = "") {
    net::Request request{
        .method = "GET", .url = fmt::format("http://127.0.0.1:{}{}", *port_, path), .timeout = 10s};
    if (!token.empty()) request.headers.push_back({"Authorization", "Bearer " + token});
    auto response = client_.send(request);
    if (!response) throw std::runtime_error(response.error().message);
    return *response;
  }
  BackgroundProcess& process() { return process_; }

 private:
  BackgroundProcess process_;
  std::optional<int> port_;
  net::HttpClient client_;
};

TEST(Metrics, ARunningPipeServesMetricsHealthAndStatusBehindItsToken) {
  auto dir = t::fresh_test_dir("metrics");
  t::create_log(binary, dir / "log", 2);
  std::vector<std::string> lines;
  for (int i = 0; i < 300; ++i) lines.push_back(fmt::format(R"({{"k":"key-{}","n":{}}})", i, i));
  auto put = t::put_records(binary, dir / "log", lines, {"--partition-key-field", "k"});
  std::map<std::string, int> put_per_shard;
  for (const auto& record : put) put_per_shard[record.shard_id]++;
  ASSERT_EQ(put_per_shard.size(), 2u);

  ::setenv("SHARDPIPE_TEST_METRICS_TOKEN", "t0ken-under-test", 1);
  t::write_file(dir / "pipe.yaml", R"(name: observed
source: { type: local, path: ./log, batch_size: 50 }
target: { type: file, path: ./out, records_per_file: 40 }
metrics: { listen: "127.0.0.1:0", bearer_token: "${SHARDPIPE_TEST_METRICS_TOKEN}" }
)");
  t::create_store(binary, dir / "pipe.yaml");
  ObservedRun run(dir / "pipe.yaml");
  auto& pipe = run.process();
  ASSERT_TRUE(run.wait_for_port()) << pipe.output();
  EXPECT_EQ(pipe.output().find("t0ken-under-test"), std::string::npos) << "the token was logged";
  auto get = [&](const std::string& path, const std::string& token) {
    return run.get(path, token);
  };
  const std::string token = "t0ken-under-test";

  // Everything put is read and delivered.
  std::string metrics;
  bool delivered = t::wait_until(
      [&] {
        metrics = get("/metrics", token).body;
        return sample(metrics, R"(shardpipe_records_delivered_total{pipe="observed"})") == 300;
      },
      30s);
  ASSERT_TRUE(delivered) << metrics << pipe.output();
  double read_total = 0;
  for (const auto& [shard, count] : put_per_shard) {
    auto read =
        sample(metrics,
               fmt::format(R"(shardpipe_records_read_total{{pipe="observed",shard="{}"}})", shard));
    ASSERT_TRUE(read) << shard << "\n" << metrics;
    EXPECT_EQ(*read, count) << shard;
    read_total += *read;
    EXPECT_TRUE(sample(
        metrics,
        fmt::format(R"(shardpipe_iterator_age_milliseconds{{pipe="observed",shard="{}"}})", shard)))
        << metrics;
  }
  EXPECT_EQ(read_total, 300);
  EXPECT_EQ(sample(metrics, R"(shardpipe_records_filtered_total{pipe="observed"})"), 0);
  EXPECT_EQ(
      sample(
          metrics,
          R"(shardpipe_records_dead_lettered_total{pipe="observed",condition="RetryAttemptsExhausted"})"),
      0);
  EXPECT_GT(
      sample(metrics, R"(shardpipe_delivery_attempts_total{pipe="observed",outcome="success"})")
          .value_or(0),
      0);
  EXPECT_EQ(sample(metrics, R"(shardpipe_leases_held{pipe="observed"})"), 2) << metrics;
  EXPECT_GT(
      sample(metrics, R"(shardpipe_batch_duration_seconds_count{pipe="observed"})").value_or(0), 0);
  EXPECT_TRUE(
      sample(metrics, R"(shardpipe_batch_duration_seconds_bucket{pipe="observed",le="+Inf"})"));
  EXPECT_NE(metrics.find("# TYPE shardpipe_batch_duration_seconds histogram\n"), std::string::npos);
  // Checkpoints are written once the files are flushed; wait for them.
  ASSERT_TRUE(t::wait_until(
      [&] {
        metrics = get("/metrics", token).body;
        return sample(metrics, R"(shardpipe_checkpoints_total{pipe="observed"})").value_or(0) > 0;
      },
      15s))
      << metrics;
  // Once everything is checkpointed, the delivery lag of each shard goes to 0 (it is refreshed
  // every few seconds), and nothing is in flight.
  ASSERT_TRUE(t::wait_until(
      [&] {
        metrics = get("/metrics", token).body;
        for (const auto& [shard, count] : put_per_shard) {
          for (const char* family : {"shardpipe_records_behind", "shardpipe_millis_behind"}) {
            auto series = fmt::format(R"({}{{pipe="observed",shard="{}"}})", family, shard);
            if (sample(metrics, series) != 0) return false;
          }
        }
        return true;
      },
      20s))
      << metrics;
  EXPECT_EQ(sample(metrics, R"(shardpipe_in_flight_records{pipe="observed"})"), 0) << metrics;
  EXPECT_EQ(sample(metrics, R"(shardpipe_in_flight_bytes{pipe="observed"})"), 0) << metrics;

  auto health = get("/healthz", token);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");

  auto status = get("/status", token);
  ASSERT_EQ(status.status, 200) << status.body;
  auto document = nlohmann::json::parse(status.body);
  EXPECT_EQ(document["pipe"], "observed");
  ASSERT_EQ(document["shards"].size(), 2u) << status.body;
  for (const auto& shard : document["shards"]) {
    EXPECT_TRUE(put_per_shard.contains(shard["shardId"].get<std::string>())) << status.body;
    EXPECT_EQ(shard["leaseOwner"], "w1") << status.body;
  }

  EXPECT_EQ(get("/metrics", "").status, 401);
  EXPECT_EQ(get("/status", "wrong-token").status, 401);
  EXPECT_EQ(get("/healthz", "wrong-token").status, 401);
  EXPECT_EQ(get("/nothing-here", token).status, 404);

  pipe.signal(SIGTERM);
  auto exit_code = pipe.wait_for(15s);
  ASSERT_TRUE(exit_code.has_value()) << pipe.output();
  EXPECT_EQ(*exit_code, 0) << pipe.output();
  EXPECT_EQ(pipe.output().find("t0ken-under-test"), std::string::npos) << "the token was logged";
}

// Another process holds an exclusive lock on the SQLite checkpoint store: checkpoints cannot be
// written, so /healthz answers 503 naming the store (promptly, not after the store's long busy
// wait), and 200 again once the lock is gone; nothing is lost meanwhile.
TEST(Metrics, HealthzFailsWhileTheCheckpointStoreIsLockedAndRecovers) {
  const std::string python = "/usr/bin/python3";
  if (!std::filesystem::exists(python)) GTEST_SKIP() << "needs " << python;
  auto dir = t::fresh_test_dir("metrics-healthz-store");
  t::create_log(binary, dir / "log", 2);
  auto put = t::put_keyed_group(binary, dir / "log", "before", 200);
  t::write_file(dir / "pipe.yaml", R"(name: guarded
source: { type: local, path: ./log, batch_size: 50 }
target: { type: file, path: ./out, records_per_file: 40 }
checkpoint: { store: "sqlite:./state/guarded.db" }
metrics: { listen: "127.0.0.1:0" }
)");
  t::create_store(binary, dir / "pipe.yaml");
  ObservedRun run(dir / "pipe.yaml");
  auto& pipe = run.process();
  ASSERT_TRUE(run.wait_for_port()) << pipe.output();
  auto get = [&](const std::string& path) { return run.get(path); };
  auto delivered = [&](double count) {
    return sample(get("/metrics").body, R"(shardpipe_records_delivered_total{pipe="guarded"})") ==
           count;
  };
  ASSERT_TRUE(t::wait_until([&] { return get("/healthz").status == 200; }, 15s)) << pipe.output();
  ASSERT_TRUE(t::wait_until([&] { return delivered(200); }, 30s)) << pipe.output();

  // The lock: BEGIN EXCLUSIVE on a connection kept open until the release file appears.
  auto release = dir / "release";
  BackgroundProcess locker({python, "-c", R"(
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
db.execute("ROLLBACK")
db.close()
print("released", flush=True)
)",
                            (dir / "state" / "guarded.db").string(), release.string()},
                           dir / "locker.log");
  ASSERT_TRUE(
      t::wait_until([&] { return locker.output().find("locked") != std::string::npos; }, 15s))
      << locker.output();
  // Records keep arriving while the store is locked.
  put = t::concat(put, t::put_keyed_group(binary, dir / "log", "during", 100));

  auto asked = std::chrono::steady_clock::now();
  auto health = get("/healthz");
  auto took = std::chrono::steady_clock::now() - asked;
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_NE(health.body.find("checkpoint store"), std::string::npos) << health.body;
  EXPECT_NE(health.body.find("guarded.db"), std::string::npos) << health.body;
  EXPECT_LT(took, 3s) << "/healthz must answer promptly while the store is locked";
  // The rest of the endpoint still answers.
  EXPECT_EQ(get("/metrics").status, 200);
  EXPECT_TRUE(pipe.running());

  t::write_file(release, "");
  ASSERT_TRUE(locker.wait_for(15s).has_value()) << locker.output();
  EXPECT_NE(locker.output().find("released"), std::string::npos) << locker.output();
  EXPECT_TRUE(t::wait_until([&] { return get("/healthz").status == 200; }, 15s))
      << get("/healthz").body;

  // Nothing lost: everything is delivered once and checkpointed to the end.
  ASSERT_TRUE(t::wait_until([&] { return delivered(300); }, 30s)) << pipe.output();
  EXPECT_TRUE(t::wait_until(
      [&] { return t::checkpointed_to_the_end(binary, dir / "pipe.yaml", put).empty(); }, 30s))
      << t::checkpointed_to_the_end(binary, dir / "pipe.yaml", put);
  pipe.signal(SIGTERM);
  auto exit_code = pipe.wait_for(20s);
  ASSERT_TRUE(exit_code.has_value()) << pipe.output();
  EXPECT_EQ(*exit_code, 0) << pipe.output();
  EXPECT_EQ(t::exactly_once(put, t::read_file_target(dir / "out")), "");
}

TEST(Metrics, ListenOffServesNothingAndAnUnsetTokenVariableStopsTheRun) {
  auto dir = t::fresh_test_dir("metrics-off");
  t::create_log(binary, dir / "log", 1);
  t::put_records(binary, dir / "log", {"one", "two"});
  t::write_file(dir / "off.yaml", R"(name: quiet
source: { type: local, path: ./log }
target: { type: file, path: ./out }
metrics: { listen: "off" }
)");
  auto ran = t::run_until_idle(binary, dir / "off.yaml");
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(ran.err.find("metrics at"), std::string::npos) << ran.err;
  EXPECT_EQ(ran.out, "") << "run writes nothing to stdout";

  ::unsetenv("SHARDPIPE_TEST_UNSET_TOKEN");
  t::write_file(dir / "unset.yaml", R"(name: unset
source: { type: local, path: ./log }
target: { type: file, path: ./out2 }
metrics: { listen: "127.0.0.1:0", bearer_token: "${SHARDPIPE_TEST_UNSET_TOKEN}" }
)");
  auto refused = t::run_until_idle(binary, dir / "unset.yaml");
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("SHARDPIPE_TEST_UNSET_TOKEN"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace shardpipe
