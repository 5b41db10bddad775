#include "pipeline/pipe_runner.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "coordination/checkpoint_store.hpp"
#include "coordination/lease_balancer.hpp"
#include "core/sequence_number.hpp"
#include "enrich/enriching_target.hpp"
#include "net/environment.hpp"
#include "observe/admin_server.hpp"
#include "pipeline/pipe_metrics.hpp"
#include "pipeline/shard_consumer.hpp"
#include "pipeline/status_report.hpp"
#include "sources/source_factory.hpp"
#include "targets/target.hpp"

namespace shardpipe {

namespace cs = coordination;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto lag_refresh_interval = 5s;
// How often a worker reads the lease table to balance: the longest a lease handed to it waits.
constexpr auto balance_interval = 1s;
// Between early readings (a lease that ran out by our clock may not have by the store's).
constexpr auto min_balance_interval = 200ms;

std::atomic<bool>& shutdown_signal() {
  static std::atomic<bool> requested{false};
  return requested;
}

namespace {

void on_shutdown_signal(int) {
  shutdown_signal().store(true);
}

StartPosition to_start_position(config::StartingPosition position, int64_t timestamp_ms) {
  switch (position) {
    case config::StartingPosition::trim_horizon:
      return StartPosition::trim_horizon();
    case config::StartingPosition::latest:
      return StartPosition::latest();
    case config::StartingPosition::at_timestamp:
      return StartPosition::at_timestamp(timestamp_ms);
  }
  return StartPosition::trim_horizon();
}

// The checkpoint sentinel recorded for shards found on a pipe's very first run.
std::string initial_checkpoint(const config::SourceConfig& source) {
  switch (source.starting_position) {
    case config::StartingPosition::trim_horizon:
      return std::string(cs::checkpoint_trim_horizon);
    case config::StartingPosition::latest:
      return std::string(cs::checkpoint_latest);
    case config::StartingPosition::at_timestamp:
      return fmt::format("{}{}", cs::checkpoint_at_timestamp_prefix,
                         source.starting_position_timestamp_ms);
  }
  return {};
}

ConsumerSettings consumer_settings(const config::PipeConfig& config, const RunOptions& options) {
  ConsumerSettings settings;
  settings.worker_id = options.worker_id;
  settings.batch_size = static_cast<size_t>(config.source.batch_size);
  settings.max_batch_bytes = config.source.maximum_batch_bytes;
  settings.batching_window = config.source.maximum_batching_window;
  settings.parallelization_factor = config.source.parallelization_factor;
  settings.lease_duration = config.checkpoint.lease_duration;
  settings.retry = RetryPolicy::from(config.retry);
  settings.idle_flush_after =
      std::max<std::chrono::milliseconds>(config.source.maximum_batching_window, 1s);
  if (options.stop_when_idle) {
    settings.idle_flush_after = std::min(settings.idle_flush_after, *options.stop_when_idle / 2);
  }
  settings.starting_position = to_start_position(config.source.starting_position,
                                                 config.source.starting_position_timestamp_ms);
  settings.child_position = to_start_position(config.source.child_shard_position, 0);
  settings.on_decode_error = config.source.on_decode_error;
  settings.source_type = config.source.type;
  return settings;
}

class PipeRunner {
 public:
  PipeRunner(const config::PipeConfig& config, RunOptions options)
      : config_(config),
        options_(std::move(options)),
        settings_(consumer_settings(config, options_)),
        budget_(static_cast<size_t>(config.source.max_in_flight_records),
                config.source.max_in_flight_bytes) {
    settings_.budget = &budget_;
  }

  int run() {
    if (!config_.filter_patterns.empty()) {
      auto filter = filter::RecordFilter::compile(config_.filter_patterns);
      if (!filter) return fatal(filter.error());
      settings_.filter = std::move(*filter);
    }
    if (config_.transform) {
      auto transform = transform::compile_template(*config_.transform);
      if (!transform) return fatal(transform.error());
      settings_.transform = std::move(*transform);
    }
    auto source = make_source(config_.source);
    if (!source) return fatal(source.error());
    source_ = std::move(*source);
    auto target = make_target(config_.target);
    if (!target) return fatal(target.error());
    target_ = std::move(*target);
    if (config_.enrichment) {
      auto enriching = make_enriching_target(*config_.enrichment, std::move(target_));
      if (!enriching) return fatal(enriching.error());
      target_ = std::move(*enriching);
    }
    // A source with a group coordinator (Kafka) keeps leases and checkpoints itself.
    auto joined = source_->join(options_.worker_id);
    if (!joined) return fatal(joined.error());
    store_ = std::move(*joined);
    if (!store_) {
      auto store = cs::open_checkpoint_store(config_.checkpoint.store, config_.name);
      if (!store) return fatal(store.error());
      store_ = std::move(*store);
      // Workers ask again every reading while they want a lease; a request a few readings old
      // is from a worker that no longer does.
      balancer_ = std::make_unique<cs::LeaseBalancer>(
          options_.worker_id, std::max<std::chrono::milliseconds>(
                                  3 * balance_interval, config_.checkpoint.lease_duration));
      settings_.balancer = balancer_.get();
    }
    if (config_.dead_letter) {
      auto dead_letters = make_dead_letter_destination(*config_.dead_letter, config_.name);
      if (!dead_letters) return fatal(dead_letters.error());
      dead_letters_ = std::move(*dead_letters);
    }
    metrics_ = std::make_unique<PipeMetrics>(config_.name, counters_);
    settings_.metrics = metrics_.get();
    metrics_->expose_in_flight(budget_);
    if (auto served = start_admin_server(); !served) return fatal(served.error());

    running_ = true;
    if (balancer_) announce();
    spdlog::info("pipe {}: running as worker {}", config_.name, options_.worker_id);
    auto renew_every = config_.checkpoint.lease_duration / 3;
    auto last_renewal = Clock::now();
    auto last_discovery = Clock::time_point{};
    auto last_balance = Clock::time_point{};
    std::optional<Error> failure;
    while (!shutdown_signal().load()) {
      auto now = Clock::now();
      if (now - last_discovery >= 1s) {
        if (auto discovered = discover(); !discovered) {
          if (discovered.error().kind == ErrorClass::fatal) {
            failure = discovered.error();
            break;
          }
          spdlog::warn("pipe {}: listing shards: {}", config_.name, discovered.error().message);
        }
        last_discovery = now;
      }
      if (balancer_ && (now - last_balance >= balance_interval ||
                        (now - last_balance >= min_balance_interval && foreign_lease_ran_out()))) {
        balance();
        last_balance = now;
      }
      if (now - last_renewal >= renew_every) {
        renew_leases();
        if (balancer_) announce();
        last_renewal = now;
      }
      metrics_->set_leases_held(leases_held());
      if ((failure = first_fatal_error())) break;
      if (options_.stop_when_idle && idle_for(*options_.stop_when_idle)) {
        spdlog::info("pipe {}: idle for {} ms, stopping", config_.name,
                     options_.stop_when_idle->count());
        break;
      }
      refresh_lag(now);
      if (options_.on_progress) report_progress();
      std::this_thread::sleep_for(50ms);
    }
    running_ = false;
    shut_down();
    metrics_->set_leases_held(0);
    if (admin_) admin_->stop();
    if (failure) return fatal(*failure);
    if ((failure = first_fatal_error())) return fatal(*failure);
    spdlog::info("pipe {}: stopped", config_.name);
    return 0;
  }

 private:
  int fatal(const Error& error) {
    spdlog::error("pipe {}: {}", config_.name, error.message);
    return 1;
  }

  // The metrics endpoint. Not being able to listen (e.g. a second worker on the same host with
  // the default port) is logged and the pipe runs on: metrics must not stop delivery. A token
  // that references an unset variable is a configuration error.
  Status start_admin_server() {
    const auto& listen = config_.metrics.listen;
    if (listen.empty() || listen == "off") return {};
    auto token = net::expand_environment(config_.metrics.bearer_token);
    if (!token) {
      return fail(Error::fatal(fmt::format("metrics.bearer_token: {}", token.error().message)));
    }
    observe::AdminHandlers handlers{
        .metrics = [this] { return metrics_->exposition(); },
        .health_problem = [this] { return health_problem(); },
        .status_json = [this]() -> Result<std::string> {
          auto status = read_pipe_status(config_);
          if (!status) return fail(status.error());
          return status_json(*status);
        },
    };
    auto server = observe::AdminServer::start(listen, std::move(*token), std::move(handlers));
    if (!server) {
      spdlog::warn("pipe {}: no metrics endpoint: {}", config_.name, server.error().message);
      return {};
    }
    admin_ = std::move(*server);
    spdlog::info("pipe {}: metrics at http://{}/metrics", config_.name, admin_->address());
    return {};
  }

  // Why /healthz should answer 503, or nullopt: running and the checkpoint store answers.
  // A probe with a short timeout: /healthz must answer promptly even while the store is locked.
  std::optional<std::string> health_problem() {
    if (!running_) return "not running (starting or shutting down)";
    if (auto answered = store_->probe(500ms); !answered) {
      return fmt::format("checkpoint store unreachable: {}", answered.error().message);
    }
    return std::nullopt;
  }

  // The lag behind the checkpoints, as `status` computes it, for the lag metrics of the shards
  // this worker holds and for `run`'s progress line (every shard). Not more often than every few
  // seconds: counting a big backlog reads through it.
  void refresh_lag(Clock::time_point now) {
    if (now - last_lag_read_ < lag_refresh_interval) return;
    last_lag_read_ = now;
    progress_.records_behind.reset();
    auto rows = store_->list();
    if (!rows) return;
    uint64_t behind = 0;
    bool known = true;
    const bool owned_only = !options_.on_progress;  // the progress line wants every shard's lag
    for (const auto& row : *rows) {
      if (row.checkpoint == cs::checkpoint_shard_end) continue;
      if (owned_only && row.owner != options_.worker_id) continue;
      auto lag =
          source_->lag(row.shard_id, is_sequence_number(row.checkpoint) ? row.checkpoint : "");
      known = known && lag && lag->records_behind;
      if (known) behind += *lag->records_behind;
      if (lag && row.owner == options_.worker_id) {
        metrics_->set_lag(row.shard_id, lag->records_behind, lag->millis_behind);
      }
    }
    if (known) progress_.records_behind = behind;
  }

  // For `run`'s progress line: the counters every round, the lag as last refreshed.
  void report_progress() {
    progress_.records_handled =
        counters_.records_delivered.load() + counters_.records_filtered.load();
    for (const auto& count : counters_.dead_lettered) progress_.records_handled += count.load();
    options_.on_progress(progress_);
  }

  int64_t leases_held() const {
    int64_t held = 0;
    for (const auto& [id, consumer] : consumers_) {
      if (consumer->lease() && !consumer->done() &&
          consumer->state() != ConsumerState::lease_lost) {
        ++held;
      }
    }
    return held;
  }

  Status discover() {
    // Read first: shards listed before the source knew them (a group not yet assigned) must not
    // count as a discovery.
    const bool knows_its_shards = source_->knows_its_shards();
    auto shards = source_->list_shards();
    if (!shards) return fail(shards.error());
    auto rows = store_->list();
    if (!rows) return fail(rows.error());
    bool first_run = rows->empty() && !discovered_once_;
    std::map<std::string, const cs::LeaseRow*> by_id;
    for (const auto& row : *rows) by_id[row.shard_id] = &row;
    for (const auto& shard : *shards) {
      if (consumers_.contains(shard.shard_id) || finished_.contains(shard.shard_id)) continue;
      auto found = by_id.find(shard.shard_id);
      if (found == by_id.end()) {
        if (auto ensured = store_->ensure_shard(shard.shard_id, shard.parent_shard_ids); !ensured) {
          return ensured;
        }
        // Shards that exist when a pipe first runs start at starting_position; shards born of a
        // later reshard start at child_shard_position.
        if (first_run) {
          if (auto set = store_->set_checkpoint(shard.shard_id, initial_checkpoint(config_.source));
              !set) {
            return fail(set.error());
          }
        } else if (!shard.parent_shard_ids.empty()) {
          spdlog::info("pipe {}: new shard {} (parents {})", config_.name, shard.shard_id,
                       fmt::join(shard.parent_shard_ids, ", "));
        }
      } else if (found->second->checkpoint == cs::checkpoint_shard_end) {
        finished_.insert(shard.shard_id);
        continue;
      }
      auto consumer = std::make_unique<ShardConsumer>(settings_, shard, *source_, *target_, *store_,
                                                      dead_letters_.get(), counters_);
      consumer->start();
      consumers_.emplace(shard.shard_id, std::move(consumer));
    }
    discovered_once_ = discovered_once_ || knows_its_shards;
    // Consumers that finished their shard or stopped leave; finished shards are never restarted.
    for (auto it = consumers_.begin(); it != consumers_.end();) {
      if (it->second->done() && !it->second->fatal_error()) {
        if (it->second->finished_shard()) finished_.insert(it->first);
        it->second->join();
        it = consumers_.erase(it);
      } else {
        ++it;
      }
    }
    return {};
  }

  void renew_leases() {
    auto rows = store_->list();
    if (!rows) {
      spdlog::warn("pipe {}: renewing leases: {}", config_.name, rows.error().message);
      return;
    }
    std::map<std::string, const cs::LeaseRow*> by_id;
    for (const auto& row : *rows) by_id[row.shard_id] = &row;
    for (auto& [shard_id, consumer] : consumers_) {
      auto lease = consumer->lease();
      if (!lease) continue;
      auto row = by_id.find(shard_id);
      if (row == by_id.end() || row->second->owner != lease->owner ||
          row->second->counter != lease->counter) {
        consumer->notify_lease_lost();
        continue;
      }
      if (row->second->pending_reset) consumer->notify_reset_pending();
      if (auto renewed = store_->renew(*lease, config_.checkpoint.lease_duration);
          renewed && !*renewed) {
        consumer->notify_lease_lost();
      }
    }
  }

  // Whether a lease another worker held at the last reading has run out since, by this machine's
  // clock: a worker that died is taken over at once rather than at the next regular reading.
  bool foreign_lease_ran_out() const {
    auto expiry = balancer_->next_foreign_expiry_ms();
    return expiry && unix_now_ms() > *expiry;
  }

  // One reading of the lease table: hand over what others asked for and we can spare, and ask
  // for a lease if we are short of our share.
  void balance() {
    if (!read_leases()) return;
    for (auto& hand_over : balancer_->hand_overs()) hand_over_lease(hand_over);
    auto wanted = balancer_->lease_to_ask_for();
    if (!wanted) return;
    auto asked = store_->request_handover(*wanted, options_.worker_id);
    if (!asked) {
      spdlog::warn("pipe {}: asking for shard {}: {}", config_.name, *wanted,
                   asked.error().message);
    } else if (*asked) {
      spdlog::debug("pipe {}: asked for shard {} ({} held, share {})", config_.name, *wanted,
                    balancer_->held(), balancer_->share());
    }
  }

  // By the shard's consumer once it has delivered and checkpointed what it read; directly when
  // no consumer of ours works with the lease (one handed to us that we have not taken up yet).
  // So that the others count this worker in their shares before it holds any lease.
  void announce() {
    if (auto announced =
            store_->announce_worker(options_.worker_id, config_.checkpoint.lease_duration);
        !announced) {
      spdlog::warn("pipe {}: announcing this worker: {}", config_.name, announced.error().message);
    }
  }

  // One reading of the lease table and of the announced workers, for the balancer.
  bool read_leases() {
    auto rows = store_->list();
    if (!rows) {
      spdlog::warn("pipe {}: reading leases: {}", config_.name, rows.error().message);
      return false;
    }
    auto announced = store_->live_workers();
    if (!announced) {
      spdlog::warn("pipe {}: reading workers: {}", config_.name, announced.error().message);
      return false;
    }
    balancer_->observe(*rows, *announced, unix_now_ms());
    return true;
  }

  void hand_over_lease(const cs::LeaseBalancer::HandOver& hand_over) {
    const auto& shard_id = hand_over.lease.shard_id;
    spdlog::info("pipe {}: handing shard {} over to {}", config_.name, shard_id, hand_over.to);
    auto consumer = consumers_.find(shard_id);
    if (consumer != consumers_.end() && consumer->second->lease()) {
      consumer->second->hand_over_to(hand_over.to);
      return;
    }
    auto handed =
        store_->hand_over(hand_over.lease, hand_over.to, config_.checkpoint.lease_duration);
    if (handed && *handed) return;
    if (!handed) {
      spdlog::warn("pipe {}: shard {} not handed over: {}", config_.name, shard_id,
                   handed.error().message);
    }
    // The recipient withdrew (or the lease is no longer ours): free the shard for whoever stays.
    (void)store_->release(hand_over.lease);
  }

  std::optional<Error> first_fatal_error() const {
    for (const auto& [id, consumer] : consumers_) {
      if (auto error = consumer->fatal_error()) return error;
    }
    return std::nullopt;
  }

  // Every shard is caught up and checkpointed, none is waiting to start, and nothing new arrived.
  bool idle_for(std::chrono::milliseconds quiet) {
    if (!discovered_once_) return false;
    auto now = Clock::now();
    // A shard counts as idle when it is caught up and checkpointed, or when this worker cannot
    // own it now: another live worker holds it, or one of its parents is held by another worker.
    std::function<bool(const ShardConsumer&)> cannot_own = [&](const ShardConsumer& consumer) {
      if (consumer.held_elsewhere()) return true;
      if (consumer.state() != ConsumerState::waiting_on_parents) return false;
      for (const auto& parent : consumer.parent_shard_ids()) {
        auto found = consumers_.find(parent);
        if (found != consumers_.end() && !found->second->done() && cannot_own(*found->second))
          return true;
      }
      return false;
    };
    for (const auto& [id, consumer] : consumers_) {
      if (consumer->done() || cannot_own(*consumer)) continue;
      if (consumer->state() != ConsumerState::processing || !consumer->idle()) return false;
      if (now - consumer->last_activity() < quiet) return false;
    }
    return now - started_ >= quiet;
  }

  void shut_down() {
    // Straight to the other workers, so that the shards move now rather than when the others
    // next read the table (a rolling restart moves each shard in about a second).
    if (balancer_) {
      (void)store_->withdraw_worker(options_.worker_id);
      if (read_leases()) {
        for (auto& hand_over : balancer_->hand_overs_on_leaving()) hand_over_lease(hand_over);
      }
    }
    for (auto& [id, consumer] : consumers_) consumer->request_shutdown();
    auto deadline = Clock::now() + config_.shutdown_timeout;
    for (auto& [id, consumer] : consumers_) {
      while (!consumer->done() && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
    }
    for (auto& [id, consumer] : consumers_) {
      if (!consumer->done()) {
        spdlog::warn(
            "shard {}: not drained within shutdown_timeout; its in-flight records will be "
            "read again on the next run",
            id);
        consumer->hard_stop();
      }
      consumer->join();
    }
    consumers_.clear();
    if (balancer_) release_what_is_left();
  }

  // Leases another leaving worker handed us while we were stopping too: free for whoever stays,
  // rather than passed on again (two workers stopping together must not pass leases back and
  // forth, leaving them with whichever exits last until they expire).
  void release_what_is_left() {
    auto rows = store_->list();
    if (!rows) return;
    for (const auto& row : *rows) {
      if (row.owner != options_.worker_id) continue;
      (void)store_->release(cs::Lease{row.shard_id, row.owner, row.counter});
    }
  }

  const config::PipeConfig& config_;
  RunOptions options_;
  ConsumerSettings settings_;
  InFlightBudget budget_;  // shared by every shard's consumer
  std::unique_ptr<Source> source_;
  std::unique_ptr<Target> target_;
  std::unique_ptr<cs::CheckpointStore> store_;
  std::unique_ptr<cs::LeaseBalancer> balancer_;  // null when the source assigns shards itself
  std::unique_ptr<DeadLetterDestination> dead_letters_;
  DeliveryCounters counters_;
  std::unique_ptr<PipeMetrics> metrics_;  // reads counters_
  std::map<std::string, std::unique_ptr<ShardConsumer>> consumers_;
  std::set<std::string> finished_;
  bool discovered_once_ = false;
  Clock::time_point started_ = Clock::now();
  std::atomic<bool> running_{false};
  Clock::time_point last_lag_read_{};  // refresh_lag
  RunProgress progress_;
  // Last, so it stops before anything its handlers read is destroyed.
  std::unique_ptr<observe::AdminServer> admin_;
};

}  // namespace

void install_shutdown_handlers() {
  struct sigaction action {};
  action.sa_handler = on_shutdown_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int run_pipe(const config::PipeConfig& config, const RunOptions& options) {
  PipeRunner runner(config, options);
  return runner.run();
}

}  // namespace shardpipe
