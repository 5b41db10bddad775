// A DynamoDB table mirrored into PostgreSQL: a DynamoDB Streams pipe (DynamoDB Local) into the
// postgres target in mirror mode, killed again and again while the table changes, ends with the
// PostgreSQL table holding exactly the DynamoDB table's items, as a scan by the AWS SDK for
// JavaScript reads them.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <set>
#include <sstream>
#include <thread>

#include "dynamodb_peer.hpp"
#include "dynamodb_streams_pipe.hpp"
#include "dynamodb_streams_test.hpp"
#include "local_pipe.hpp"
#include "postgres_server.hpp"

namespace shardpipe {
namespace {

namespace t = shardpipe::testing;
using namespace std::chrono_literals;

const std::string binary = SHARDPIPE_BINARY;

using DynamoDbToPostgres = t::DynamoDbStreamsTest;

// "<pk> <n>" of every item, sorted.
std::set<std::string> dynamodb_items(const std::string& endpoint, const std::string& table) {
  std::set<std::string> items;
  std::istringstream lines(t::dynamodb_tool(endpoint, {"scan", table}));
  for (std::string pk, sk, n; lines >> pk >> sk >> n;) items.insert(pk + " " + n);
  return items;
}

std::set<std::string> mirrored_items(const t::PostgresServer& database) {
  std::set<std::string> items;
  for (const auto& row :
       database.query("SELECT item->>'pk', item->>'n' FROM mirror WHERE NOT deleted")) {
    items.insert(row.at(0) + " " + row.at(1));
  }
  return items;
}

TEST_F(DynamoDbToPostgres, TheMirrorEqualsTheTableThroughKills) {
  auto arn = t::create_table(endpoint(), "mirrored");
  t::PostgresServer database(dir_);
  auto pipe = t::write_dynamodb_pipe(
      dir_, {.endpoint = endpoint(),
             .stream = arn,
             .target = fmt::format("target:\n  type: postgres\n  dsn: \"{}\"\n  table: mirror\n"
                                   "  mode: mirror\n",
                                   database.dsn())});
  t::create_store(binary, pipe);
  // 2,000 changes to 40 items while the pipe is killed three times.
  t::BackgroundProcess writer(
      t::dynamodb_tool_command(endpoint(), {"churn", "mirrored", "2000", "40"}),
      dir_ / "writer.log");
  for (int kill = 0; kill < 3; ++kill) {
    auto pipe_process = start(pipe, "run-" + std::to_string(kill) + ".log");
    std::this_thread::sleep_for(std::chrono::milliseconds(2000 + 500 * kill));
    pipe_process->signal(SIGKILL);
    pipe_process->wait_for(10s);
  }
  ASSERT_EQ(writer.wait_for(240s), 0) << writer.output();
  // Ten items deleted, two of them written again afterwards.
  for (int i = 0; i < 10; ++i)
    t::delete_item(endpoint(), "mirrored", "key-" + std::to_string(i), "0");
  t::dynamodb_tool(endpoint(), {"churn", "mirrored", "2", "2"});
  auto done = run(pipe, "3s");
  ASSERT_EQ(done.exit_code, 0) << done.err;

  auto expected = dynamodb_items(endpoint(), "mirrored");
  EXPECT_EQ(expected.size(), 32u);
  EXPECT_EQ(mirrored_items(database), expected);
  EXPECT_EQ(database.scalar("SELECT count(*) FROM mirror WHERE deleted"), "8");
}

}  // namespace
}  // namespace shardpipe
