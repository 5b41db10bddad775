// Command-line entry: parses arguments with CLI11 and hands each command to cli/commands.hpp.
#include <CLI/CLI.hpp>
#include <csignal>

#include "cli/commands.hpp"
#include "observe/logging.hpp"

namespace {

using namespace shardpipe::cli;

struct Arguments {
  std::string dir;
  std::string pipe_file;
  int shards = 0;
  std::string shard;
  std::vector<std::string> shard_list;
  std::vector<std::string> event_ids;
  std::string at;
  std::string pair;
  std::string from;
  size_t limit = 100;
  bool json = false;
  bool all = false;
  std::string to;
  std::string worker_id;
  std::string stop_when_idle;
  std::string log_level = "info";
  std::string log_format = "text";
  std::string watch;
  std::string update_file;
  PutOptions put;
};

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a record processor that exits fails a write, not shardpipe
  CLI::App app{"shardpipe: reliable pipes from sharded streams to targets", "shardpipe"};
  app.require_subcommand(1);
  app.fallthrough();  // --log-level may come after the command too
  Arguments args;
  shardpipe::configure_logging(args.log_level);
  app.add_option("--log-level", args.log_level, "trace | debug | info | warn | error")
      ->capture_default_str()
      ->each([](const std::string& level) { shardpipe::set_log_level(level); });
  app.add_option("--log-format", args.log_format, "text | json (one JSON object per line)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}))
      ->each([](const std::string& format) { shardpipe::set_log_format(format); });
  int status = exit_ok;

  auto* run_cmd = app.add_subcommand("run", "Run a pipe until SIGINT or SIGTERM");
  run_cmd->add_option("pipe", args.pipe_file, "The pipe file")->required();
  run_cmd->add_option("--worker-id", args.worker_id, "This worker's id (default: hostname:pid)");
  run_cmd->add_option("--stop-when-idle", args.stop_when_idle,
                      "Exit 0 once everything is handled and nothing new arrived for DURATION");
  run_cmd->callback([&] {
    status = run(args.pipe_file, args.worker_id,
                 args.stop_when_idle.empty() ? std::nullopt : std::optional(args.stop_when_idle));
  });

  auto* validate_cmd = app.add_subcommand("validate", "Check a pipe file");
  validate_cmd->add_option("pipe", args.pipe_file, "The pipe file")->required();
  validate_cmd->callback([&] { status = validate(args.pipe_file); });

  auto* status_cmd = app.add_subcommand("status", "Shards, leases, checkpoints and lag of a pipe");
  status_cmd->add_option("pipe", args.pipe_file, "The pipe file")->required();
  status_cmd->add_flag("--json", args.json, "JSON output");
  status_cmd->add_option("--watch", args.watch,
                         "Print the status again every DURATION (e.g. 2s) until interrupted");
  status_cmd->callback([&] {
    status = shardpipe::cli::status(args.pipe_file, args.json,
                                    args.watch.empty() ? std::nullopt : std::optional(args.watch));
  });

  auto* verify_cmd = app.add_subcommand(
      "verify", "Check that a file target holds every handled record once, up to the checkpoints");
  verify_cmd->add_option("pipe", args.pipe_file, "The pipe file")->required();
  verify_cmd->add_flag("--json", args.json, "JSON output");
  verify_cmd->callback([&] { status = verify(args.pipe_file, args.json); });

  auto* checkpoint_cmd = app.add_subcommand("checkpoint", "List or set checkpoints");
  checkpoint_cmd->require_subcommand(1);
  auto* cp_list = checkpoint_cmd->add_subcommand("list", "The stored checkpoints");
  cp_list->add_option("pipe", args.pipe_file, "The pipe file")->required();
  cp_list->add_flag("--json", args.json, "JSON output");
  cp_list->callback([&] { status = checkpoint_list(args.pipe_file, args.json); });
  auto* cp_set =
      checkpoint_cmd->add_subcommand("set", "Set checkpoints; running workers adopt them");
  cp_set->add_option("pipe", args.pipe_file, "The pipe file")->required();
  auto* shard_opt = cp_set->add_option("--shard", args.shard_list, "Shard ids");
  auto* all_opt = cp_set->add_flag("--all", args.all, "Every shard");
  shard_opt->excludes(all_opt);
  cp_set
      ->add_option("--to", args.to,
                   "TRIM_HORIZON | LATEST | AT_TIMESTAMP=<RFC 3339> | a sequence number | "
                   "SEQUENCE:SUBSEQUENCE (Kinesis, inside a KPL aggregate)")
      ->required();
  cp_set->callback([&] {
    if (args.shard_list.empty() && !args.all)
      throw CLI::ValidationError("--shard or --all is required");
    status = checkpoint_set(args.pipe_file, args.shard_list, args.all, args.to);
  });

  auto* log_cmd = app.add_subcommand("log", "The embedded local log");
  log_cmd->require_subcommand(1);
  auto* log_create_cmd = log_cmd->add_subcommand("create", "Create a local log");
  log_create_cmd->add_option("dir", args.dir, "Log directory")->required();
  log_create_cmd->add_option("--shards", args.shards, "Number of shards")
      ->required()
      ->check(CLI::Range(1, 10000));
  log_create_cmd->callback([&] { status = log_create(args.dir, args.shards); });
  auto* log_put_cmd = log_cmd->add_subcommand("put", "Append standard input, one record per line");
  log_put_cmd->add_option("dir", args.dir, "Log directory")->required();
  auto* key_opt = log_put_cmd->add_option("--partition-key", args.put.partition_key,
                                          "Partition key for every line");
  auto* field_opt = log_put_cmd->add_option("--partition-key-field", args.put.partition_key_field,
                                            "Top-level JSON field holding the partition key");
  key_opt->excludes(field_opt);
  log_put_cmd->add_flag("--verbose", args.put.verbose,
                        "Print the shard and sequence number of each record");
  log_put_cmd->callback([&] { status = log_put(args.dir, args.put); });
  auto* log_split_cmd = log_cmd->add_subcommand("split", "Split a shard in two");
  log_split_cmd->add_option("dir", args.dir, "Log directory")->required();
  log_split_cmd->add_option("--shard", args.shard, "The shard to split")->required();
  log_split_cmd->add_option("--at", args.at,
                            "New starting hash key (default: the middle of its range)");
  log_split_cmd->callback([&] { status = log_split(args.dir, args.shard, args.at); });
  auto* log_merge_cmd = log_cmd->add_subcommand("merge", "Merge two adjacent shards");
  log_merge_cmd->add_option("dir", args.dir, "Log directory")->required();
  log_merge_cmd->add_option("--shards", args.pair, "A,B")->required();
  log_merge_cmd->callback([&] { status = log_merge(args.dir, args.pair); });
  auto* log_describe_cmd = log_cmd->add_subcommand("describe", "Shards, lineage, ranges");
  log_describe_cmd->add_option("dir", args.dir, "Log directory")->required();
  log_describe_cmd->add_flag("--json", args.json, "Kinesis ListShards JSON");
  log_describe_cmd->callback([&] { status = log_describe(args.dir, args.json); });
  auto* log_get_cmd = log_cmd->add_subcommand("get", "Print records of a shard as JSON lines");
  log_get_cmd->add_option("dir", args.dir, "Log directory")->required();
  log_get_cmd->add_option("--shard", args.shard, "Shard id")->required();
  log_get_cmd->add_option("--from", args.from, "First sequence number (default: the oldest)");
  log_get_cmd->add_option("--limit", args.limit, "How many records at most")->capture_default_str();
  log_get_cmd->callback([&] { status = log_get(args.dir, args.shard, args.from, args.limit); });

  auto* dlq_cmd = app.add_subcommand("dlq", "The file dead-letter destination");
  dlq_cmd->require_subcommand(1);
  auto* dlq_list_cmd = dlq_cmd->add_subcommand("list", "List the dead letters");
  dlq_list_cmd->add_option("pipe", args.pipe_file, "The pipe file")->required();
  dlq_list_cmd->add_flag("--json", args.json, "The entries as stored, one JSON object per line");
  dlq_list_cmd->callback([&] { status = dlq_list(args.pipe_file, args.json); });
  auto* dlq_replay_cmd = dlq_cmd->add_subcommand(
      "replay", "Send dead letters to the target again, removing each one delivered");
  dlq_replay_cmd->add_option("pipe", args.pipe_file, "The pipe file")->required();
  dlq_replay_cmd->add_option("--event-id", args.event_ids, "Only these entries (default: all)");
  dlq_replay_cmd->callback([&] { status = dlq_replay(args.pipe_file, args.event_ids); });

  auto* config_cmd = app.add_subcommand("config", "Configuration reference");
  config_cmd->require_subcommand(1);
  auto* reference_cmd =
      config_cmd->add_subcommand("reference", "Print the pipe-file reference (Markdown)");
  reference_cmd->callback([&] { status = config_reference(); });

  auto* metrics_cmd = app.add_subcommand("metrics", "Metrics reference");
  metrics_cmd->require_subcommand(1);
  auto* metrics_reference_cmd = metrics_cmd->add_subcommand(
      "reference", "Print every metric family: name, type, labels, meaning (Markdown)");
  metrics_reference_cmd->add_option(
      "--update", args.update_file,
      "Write it into FILE's generated metrics region (e.g. docs/monitoring.md) instead");
  metrics_reference_cmd->callback([&] { status = metrics_reference(args.update_file); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_usage;
  }
  return status;
}
