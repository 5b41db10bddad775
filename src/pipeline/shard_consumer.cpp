#include "pipeline/shard_consumer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/backoff.hpp"
#include "core/clock.hpp"
#include "core/sequence_number.hpp"

namespace shardpipe {

namespace cs = coordination;
using namespace std::chrono_literals;

std::string_view to_string(ConsumerState state) {
  switch (state) {
    case ConsumerState::waiting_on_parents:
      return "WAITING_ON_PARENTS";
    case ConsumerState::initializing:
      return "INITIALIZING";
    case ConsumerState::processing:
      return "PROCESSING";
    case ConsumerState::shard_end:
      return "SHARD_END";
    case ConsumerState::shutdown_requested:
      return "SHUTDOWN_REQUESTED";
    case ConsumerState::lease_lost:
      return "LEASE_LOST";
    case ConsumerState::shut_down:
      return "SHUT_DOWN";
  }
  return "UNKNOWN";
}

namespace {

// Enough room for a full file or batch on top of what is being read, so a buffering sink can
// usually complete a unit without waiting for room.
constexpr size_t max_in_flight_records = 50000;
constexpr size_t read_chunk_records = 10000;
constexpr size_t read_chunk_bytes = 8u << 20;
constexpr auto poll_interval = 100ms;
// While the in-flight caps are reached: lanes free room fast, so look again soon.
constexpr auto backpressure_poll_interval = 5ms;
// How often a child waiting on a parent checks that the source still lists the parent.
constexpr auto parent_listing_interval = 5s;

// What a record holds in memory while in flight, for the pipe's byte budget.
size_t footprint(const Record& record) {
  return sizeof(Record) + record.envelope.size() + record.raw_data.size() +
         record.sequence_number.size() + record.partition_key.size() + record.event_id.size();
}

// Stable across runs and builds (unlike std::hash), so a key keeps its lane after a restart.
uint64_t fnv1a(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

ShardConsumer::ShardConsumer(ConsumerSettings settings, ShardDescription shard, Source& source,
                             Target& target, cs::CheckpointStore& store,
                             DeadLetterDestination* dead_letters, DeliveryCounters& counters)
    : settings_(std::move(settings)),
      shard_(std::move(shard)),
      source_(source),
      target_(target),
      store_(store),
      dead_letters_(dead_letters),
      counters_(counters),
      metrics_(settings_.metrics ? settings_.metrics->for_shard(shard_.shard_id) : ShardMetrics{}),
      delivery_(settings_.retry, dead_letters, counters, settings_.source_type, shard_.shard_id,
                BatchDelivery::Hooks{
                    .handled =
                        [this](std::span<const uint64_t> ordinals) { tracker_->handled(ordinals); },
                    .wait = [this](std::chrono::milliseconds wait) { return sleep_for(wait); },
                    .checkpoint_now = [this] { return maybe_checkpoint(true); },
                    .fatal = [this](Error error) { set_fatal(std::move(error)); },
                    .now_ms = unix_now_ms,
                }) {}

ShardConsumer::~ShardConsumer() {
  hard_stop_ = true;
  join();
}

void ShardConsumer::start() {
  thread_ = std::thread([this] { run(); });
}

void ShardConsumer::join() {
  if (thread_.joinable()) thread_.join();
}

std::optional<cs::Lease> ShardConsumer::lease() const {
  std::lock_guard lock(mutex_);
  return lease_;
}

ShardConsumer::Clock::time_point ShardConsumer::last_activity() const {
  std::lock_guard lock(mutex_);
  return last_activity_;
}

std::optional<Error> ShardConsumer::fatal_error() const {
  std::lock_guard lock(mutex_);
  return fatal_;
}

void ShardConsumer::set_fatal(Error error) {
  spdlog::error("shard {}: {}", shard_.shard_id, error.message);
  std::lock_guard lock(mutex_);
  fatal_ = std::move(error);
}

bool ShardConsumer::sleep_for(std::chrono::milliseconds duration) {
  auto until = Clock::now() + duration;
  while (true) {
    if (hard_stop_ || lease_lost_) return false;
    if (Clock::now() >= until) return true;
    std::this_thread::sleep_for(std::min<Clock::duration>(until - Clock::now(), 20ms));
  }
}

void ShardConsumer::run() {
  const bool started = wait_for_parents() && initialize();
  if (started) process();
  auto sinks = stop_lanes();
  if (fatal_error() && !lease_lost_ && tracker_) {
    // Keep what was handled before the error, so a fixed pipe does not deliver it again.
    if (auto value = tracker_->checkpointable()) write_checkpoint(*value, false);
  }
  if ((fatal_error() || !started) && !lease_lost_) {
    // Stopping on an error, or (another shard's error, a shutdown) before processing began: let
    // an operator or another worker act on the shard at once. Nothing was handled in the latter.
    give_up_lease();
  }
  if (state_ == ConsumerState::lease_lost) {
    spdlog::warn("shard {}: lease lost; in-flight records were not checkpointed", shard_.shard_id);
  }
  close_sinks(std::move(sinks), lease_lost_ ? CloseReason::lease_lost : CloseReason::shutdown);
  state_ = ConsumerState::shut_down;
}

bool ShardConsumer::wait_for_parents() {
  state_ = ConsumerState::waiting_on_parents;
  for (const auto& parent : shard_.parent_shard_ids) {
    auto next_listing = Clock::now() + parent_listing_interval;
    int times_unlisted = 0;
    while (true) {
      if (stopping()) return false;
      auto row = store_.get(parent);
      // A parent this pipe never knew (trimmed before it first ran) cannot hold anything to wait
      // for.
      if (row && (!row->has_value() || (*row)->checkpoint == cs::checkpoint_shard_end)) break;
      if (!row) spdlog::warn("shard {}: {}", shard_.shard_id, row.error().message);
      if (row && Clock::now() >= next_listing) {
        next_listing = Clock::now() + parent_listing_interval;
        times_unlisted = source_lists(parent) ? 0 : times_unlisted + 1;
        // Twice in a row, so that one odd listing cannot end a parent.
        if (times_unlisted == 2) {
          finish_removed_parent(parent, (*row)->checkpoint);
          break;
        }
      }
      sleep_for(250ms);
    }
  }
  return true;
}

bool ShardConsumer::source_lists(const std::string& shard_id) {
  auto listed = source_.list_shards();
  if (!listed) return true;  // unknown: keep waiting
  return std::ranges::any_of(
      *listed, [&](const ShardDescription& shard) { return shard.shard_id == shard_id; });
}

void ShardConsumer::finish_removed_parent(const std::string& parent,
                                          const std::string& checkpoint) {
  spdlog::error(
      "shard {}: DATA LOST: its parent {} is no longer in the stream (removed past the stream's "
      "retention) and was not read to its end (checkpoint {}); what it still held is lost. The "
      "shard starts without it",
      shard_.shard_id, parent, checkpoint.empty() ? "none" : checkpoint);
  counters_.count(DeadLetterCondition::data_lost, 1);
  // Marked finished, fenced by its lease, so that later runs and its other children do not wait
  // for it again. Held by a live worker: left as it is.
  auto taken = store_.try_take(parent, settings_.worker_id, settings_.lease_duration);
  if (!taken || !taken->has_value()) return;
  if (auto written = store_.checkpoint(**taken, std::string(cs::checkpoint_shard_end));
      !written || !*written) {
    spdlog::warn("shard {}: could not mark its removed parent {} finished", shard_.shard_id,
                 parent);
  }
  (void)store_.release(**taken);
}

StartPosition ShardConsumer::start_position(const cs::LeaseRow& row) {
  if (row.checkpoint.empty()) {
    return shard_.parent_shard_ids.empty() ? settings_.starting_position : settings_.child_position;
  }
  return position_of_checkpoint(row.checkpoint);
}

StartPosition ShardConsumer::position_of_checkpoint(const std::string& checkpoint) {
  if (checkpoint == cs::checkpoint_trim_horizon) return StartPosition::trim_horizon();
  if (checkpoint == cs::checkpoint_latest) return StartPosition::latest();
  if (checkpoint.starts_with(cs::checkpoint_at_timestamp_prefix)) {
    return StartPosition::at_timestamp(
        std::stoll(checkpoint.substr(cs::checkpoint_at_timestamp_prefix.size())));
  }
  return StartPosition::after(checkpoint);
}

bool ShardConsumer::initialize() {
  state_ = ConsumerState::initializing;
  Backoff backoff(settings_.retry.backoff_initial, settings_.retry.backoff_max);
  while (true) {
    if (stopping()) return false;
    // At its fair share, this worker leaves free leases to the others (and asks nothing of the
    // store until that changes).
    if (settings_.balancer && !settings_.balancer->may_take(shard_.shard_id)) {
      // A free shard is not idle: a worker with room takes it at its next reading.
      held_elsewhere_ = settings_.balancer->held_by_another(shard_.shard_id);
      sleep_for(250ms);
      continue;
    }
    auto taken = store_.try_take(shard_.shard_id, settings_.worker_id, settings_.lease_duration);
    if (settings_.balancer && !(taken && taken->has_value())) {
      settings_.balancer->not_taken(shard_.shard_id);
    }
    if (taken && taken->has_value()) {
      held_elsewhere_ = false;
      spdlog::info("shard {}: lease taken by {} (lease counter {})", shard_.shard_id,
                   (*taken)->owner, (*taken)->counter);
      std::lock_guard lock(mutex_);
      lease_ = **taken;
      break;
    }
    if (!taken) spdlog::warn("shard {}: {}", shard_.shard_id, taken.error().message);
    held_elsewhere_ = taken.has_value();
    // Held by another worker: wait for it to be released or to expire.
    sleep_for(taken ? std::chrono::milliseconds(250) : backoff.next());
  }
  auto lease = *this->lease();
  if (auto adopted = store_.adopt_reset(lease); adopted && adopted->has_value()) {
    spdlog::info("shard {}: checkpoint reset to {} adopted", shard_.shard_id, **adopted);
  }
  auto row = store_.get(shard_.shard_id);
  if (!row || !row->has_value()) {
    set_fatal(row ? Error::fatal("lease row vanished") : row.error());
    return false;
  }
  if ((*row)->checkpoint == cs::checkpoint_shard_end) {
    finished_shard_ = true;
    (void)store_.release(lease);
    return false;
  }
  tracker_ = std::make_unique<CheckpointTracker>(max_in_flight_records, settings_.budget);
  bool reset_adopted = false;
  while (!open_lanes()) {
    if (stopping()) return false;
    // A target that cannot be opened must not keep an operator's reset waiting: nothing was read
    // yet, so it is adopted as it is.
    if (reset_pending_.exchange(false)) {
      auto adopted = store_.adopt_reset(lease);
      reset_adopted = adopted && adopted->has_value();
      if (reset_adopted) {
        spdlog::info("shard {}: checkpoint reset to {} adopted", shard_.shard_id, **adopted);
      }
    }
    sleep_for(backoff.next());
  }
  if (reset_adopted) row = store_.get(shard_.shard_id);
  if (!row || !row->has_value()) {
    set_fatal(row ? Error::fatal("lease row vanished") : row.error());
    return false;
  }
  return open_reader(start_position(**row));
}

bool ShardConsumer::open_reader(StartPosition position) {
  Backoff backoff(settings_.retry.backoff_initial, settings_.retry.backoff_max);
  bool resolved_to_a_moment = false;
  while (position.kind == StartKind::latest && !resolved_to_a_moment) {
    // Resolve LATEST to the tip now and checkpoint it, so that records put while the pipe is
    // stopped are not skipped by a restart that would resolve LATEST again.
    if (stopping()) return false;
    auto resolved = source_.resolve_latest(shard_.shard_id);
    if (!resolved) {
      if (resolved.error().kind == ErrorClass::fatal) {
        set_fatal(resolved.error());
        return false;
      }
      spdlog::warn("shard {}: {}", shard_.shard_id, resolved.error().message);
      sleep_for(backoff.next());
      continue;
    }
    if (!write_checkpoint(*resolved, true)) return false;
    // A moment (a service that cannot name its tip) is where the service's own LATEST is now:
    // read from that, rather than seek to a moment nothing may have arrived after yet. A restart
    // starts at the checkpointed moment.
    if (resolved->starts_with(cs::checkpoint_at_timestamp_prefix)) {
      resolved_to_a_moment = true;
    } else {
      position = position_of_checkpoint(*resolved);
    }
  }
  while (true) {
    if (stopping()) return false;
    auto reader = source_.open_shard(shard_.shard_id, position);
    if (reader) {
      reader_ = std::move(*reader);
      shard_end_seen_ = false;
      return true;
    }
    if (reader.error().kind == ErrorClass::fatal) {
      set_fatal(reader.error());
      return false;
    }
    spdlog::warn("shard {}: {}", shard_.shard_id, reader.error().message);
    sleep_for(backoff.next());
  }
}

void ShardConsumer::process() {
  state_ = ConsumerState::processing;
  Backoff read_backoff(settings_.retry.backoff_initial, settings_.retry.backoff_max);
  while (true) {
    if (lease_lost_ || hard_stop_) {
      state_ = lease_lost_ ? ConsumerState::lease_lost : ConsumerState::shutdown_requested;
      return;
    }
    if (reset_pending_) {
      adopt_reset();
      continue;
    }
    // A lane's fatal error wins over a shutdown request: run() then checkpoints what was
    // handled and releases the lease, which a graceful shutdown would do too early.
    if (fatal_error()) return;
    if (shutdown_requested_) {
      shut_down_gracefully();
      return;
    }
    if (lanes_halted()) {
      // Lanes halt only when the shard stops, which the checks above catch first.
      set_fatal(Error::fatal("a delivery lane stopped without a reason"));
      return;
    }
    bool got_records = false;
    const size_t room_records = read_room();
    const bool room = room_records > 0;
    if (!shard_end_seen_ && room) {
      auto before = tracker_->in_flight();
      if (!read_some(room_records)) {
        if (fatal_error()) return;
        sleep_for(read_backoff.next());
        continue;
      }
      read_backoff.reset();
      got_records = tracker_->in_flight() > before;
    }
    if (fatal_error()) return;
    if (shard_end_seen_) {
      finish_shard();
      return;
    }
    if (!got_records && room && !caught_up_) {
      caught_up_ = true;
      caught_up_since_ = Clock::now();
    }
    // A lane whose records all wait in its sink's open unit closes it: under backpressure, to
    // make room, and once the shard has been caught up for idle_flush_after, so that a quiet
    // shard's records do not wait in an open file.
    bool idle_long_enough =
        caught_up_ && Clock::now() - caught_up_since_ >= settings_.idle_flush_after;
    if (!room || idle_long_enough) {
      for (auto& lane : lanes_) lane->request_flush();
    }
    maybe_checkpoint(false);
    idle_ = caught_up_ && tracker_->all_handled() && !tracker_->checkpoint_pending();
    if (!got_records) sleep_for(room ? poll_interval : backpressure_poll_interval);
  }
}

size_t ShardConsumer::read_room() const {
  size_t room = std::min(tracker_->room(), read_chunk_records);
  if (settings_.budget) room = std::min(room, settings_.budget->records_room());
  if (settings_.budget && settings_.budget->bytes_room() == 0) room = 0;
  return room;
}

bool ShardConsumer::read_some(size_t max_records) {
  size_t max_bytes = read_chunk_bytes;
  if (settings_.budget) max_bytes = std::min(max_bytes, settings_.budget->bytes_room());
  auto read = reader_->read(max_records, max_bytes);
  if (!read) {
    if (read.error().kind == ErrorClass::fatal) {
      set_fatal(read.error());
    } else {
      spdlog::warn("shard {}: reading: {}", shard_.shard_id, read.error().message);
    }
    return false;
  }
  // Counted per read, not per record, so the hot path stays a couple of atomic updates.
  metrics_.records_read(read->records.size());
  metrics_.iterator_age_ms(read->records.empty() ? 0
                                                 : unix_now_ms() - read->records.back().arrival_ms);
  auto now = Clock::now();
  if (!read->records.empty()) {
    // Not idle from this moment on, even while the records wait for a slow target.
    idle_ = false;
    caught_up_ = false;
    std::lock_guard lock(mutex_);
    last_activity_ = now;
  }
  std::vector<Record> prepared;
  prepared.reserve(read->records.size());
  for (auto& record : read->records) {
    record.ordinal = tracker_->track(record.sequence_number, footprint(record));
    if (!record.data_lost.empty()) {
      if (!report_data_lost(record)) return false;
      continue;
    }
    if (record.decode_failed) {
      // A poison record goes to the dead letters, or stops the shard: never skipped, never a
      // crash loop.
      if (settings_.on_decode_error == config::OnDecodeError::fail || dead_letters_ == nullptr) {
        set_fatal(Error::fatal(
            fmt::format("record {} of shard {} could not be decoded: {} (on_decode_error: {})",
                        record.sequence_number, shard_.shard_id, record.decode_error,
                        dead_letters_ ? "fail" : "dead_letter, with no dead_letter section")));
        return false;
      }
      const Record* poison = &record;
      const int attempts = 0;
      if (!delivery_.dead_letter(std::span(&poison, 1), DeadLetterCondition::decode_error,
                                 Error::permanent(record.decode_error), std::span(&attempts, 1))) {
        return false;
      }
      continue;
    }
    bool stop = false;
    if (!prepare(record, stop)) {
      if (stop) return false;
      continue;
    }
    prepared.push_back(std::move(record));
  }
  route(prepared);
  if (read->shard_end) shard_end_seen_ = true;
  return true;
}

bool ShardConsumer::report_data_lost(const Record& gap) {
  spdlog::error("shard {}: DATA LOST: {}", shard_.shard_id, gap.data_lost);
  if (dead_letters_ == nullptr) {
    // Nothing can bring the records back; stopping would only stop the records that remain.
    counters_.count(DeadLetterCondition::data_lost, 1);
    tracker_->handled(gap.ordinal);
    return true;
  }
  const Record* marker = &gap;
  const int attempts = 0;
  return delivery_.dead_letter(std::span(&marker, 1), DeadLetterCondition::data_lost,
                               Error::permanent(gap.data_lost), std::span(&attempts, 1));
}

bool ShardConsumer::prepare(Record& record, bool& stop) {
  if (settings_.filter && !settings_.filter->matches(record.envelope)) {
    // Filtered out: handled, so the checkpoint may pass it.
    tracker_->handled(record.ordinal);
    counters_.records_filtered++;
    return false;
  }
  if (settings_.transform) {
    auto transformed = settings_.transform->apply(record.envelope);
    if (!transformed) {
      const Record* failed = &record;
      const int attempts = 0;
      stop = !delivery_.dead_letter(std::span(&failed, 1), DeadLetterCondition::transform_error,
                                    transformed.error(), std::span(&attempts, 1));
      return false;
    }
    record.envelope = std::move(*transformed);
  }
  return true;
}

BatchDelivery ShardConsumer::make_delivery(DeliveryLane::Wait wait) {
  return BatchDelivery(
      settings_.retry, dead_letters_, counters_, settings_.source_type, shard_.shard_id,
      BatchDelivery::Hooks{
          .handled = [this](std::span<const uint64_t> ordinals) { tracker_->handled(ordinals); },
          .wait = std::move(wait),
          // A failed write is retried by the reader's next periodic checkpoint.
          .checkpoint_now =
              [this] {
                maybe_checkpoint(true);
                return true;
              },
          .fatal = [this](Error error) { set_fatal(std::move(error)); },
          .now_ms = unix_now_ms,
      });
}

// One lane per unit of parallelization_factor, each with its own sink; all or none.
bool ShardConsumer::open_lanes() {
  const int count = std::max(1, settings_.parallelization_factor);
  std::vector<std::unique_ptr<ShardSink>> sinks;
  for (int i = 0; i < count; ++i) {
    auto sink = target_.open_shard(shard_.shard_id);
    if (!sink) {
      spdlog::warn("shard {}: {}", shard_.shard_id, sink.error().message);
      return false;
    }
    sinks.push_back(std::move(*sink));
  }
  DeliveryLane::Hooks hooks{
      .keep_going = [this] { return !hard_stop_ && !lease_lost_; },
      .flushed = [this](const DeliveryOutcome& outcome) { apply(outcome); },
      .unit_closed_early = [this] { maybe_checkpoint(true); },
      .fatal = [this](Error error) { set_fatal(std::move(error)); },
      .batch_delivered_in = [this](double seconds) { metrics_.batch_delivered_in(seconds); },
  };
  auto make = [this](DeliveryLane::Wait wait) { return make_delivery(std::move(wait)); };
  for (int i = 0; i < count; ++i) {
    DeliveryLane::Settings lane{
        .name = count == 1 ? shard_.shard_id : fmt::format("{} lane {}", shard_.shard_id, i),
        .batch_size = settings_.batch_size,
        .max_batch_bytes = settings_.max_batch_bytes,
        .batching_window = settings_.batching_window,
        .backoff_initial = settings_.retry.backoff_initial,
        .backoff_max = settings_.retry.backoff_max,
    };
    lanes_.push_back(
        std::make_unique<DeliveryLane>(std::move(lane), std::move(sinks[i]), make, hooks));
  }
  return true;
}

// A key always goes to the same lane, so its records are delivered in shard order.
void ShardConsumer::route(std::vector<Record>& records) {
  if (records.empty()) return;
  if (lanes_.size() == 1) {
    lanes_.front()->push(std::move(records));
    return;
  }
  std::vector<std::vector<Record>> by_lane(lanes_.size());
  for (auto& record : records) {
    by_lane[fnv1a(record.partition_key) % lanes_.size()].push_back(std::move(record));
  }
  for (size_t i = 0; i < lanes_.size(); ++i) lanes_[i]->push(std::move(by_lane[i]));
}

bool ShardConsumer::drain_lanes() {
  bool drained = true;
  for (auto& lane : lanes_) drained = lane->drain() && drained;
  return drained;
}

std::vector<std::unique_ptr<ShardSink>> ShardConsumer::stop_lanes() {
  std::vector<std::unique_ptr<ShardSink>> sinks;
  for (auto& lane : lanes_) {
    if (auto sink = lane->stop()) sinks.push_back(std::move(sink));
  }
  lanes_.clear();
  return sinks;
}

bool ShardConsumer::lanes_halted() const {
  return std::any_of(lanes_.begin(), lanes_.end(), [](const auto& lane) { return lane->halted(); });
}

void ShardConsumer::apply(const DeliveryOutcome& outcome) {
  tracker_->handled(outcome.delivered);
  // Records a sink held in an open unit (a file) count as delivered once it is flushed.
  counters_.records_delivered += outcome.delivered.size();
}

bool ShardConsumer::close_sinks(std::vector<std::unique_ptr<ShardSink>> sinks, CloseReason reason) {
  for (auto& sink : sinks) {
    if (!close_sink(*sink, reason)) return false;
  }
  return true;
}

// Tells the sink why it is dropped; only the end of a shard must be acknowledged, since its
// checkpoint lets the children start.
bool ShardConsumer::close_sink(ShardSink& sink, CloseReason reason) {
  Backoff backoff(settings_.retry.backoff_initial, settings_.retry.backoff_max);
  while (true) {
    auto closed = sink.close(reason);
    if (closed || reason != CloseReason::shard_end) {
      if (!closed)
        spdlog::warn("shard {}: closing the target: {}", shard_.shard_id, closed.error().message);
      return true;
    }
    auto wait = backoff.next();
    spdlog::warn("shard {}: the target did not acknowledge the shard's end, retrying in {} ms: {}",
                 shard_.shard_id, wait.count(), closed.error().message);
    if (!sleep_for(wait)) return false;
  }
}

bool ShardConsumer::maybe_checkpoint(bool force) {
  std::lock_guard lock(checkpoint_mutex_);
  auto value = tracker_->checkpointable();
  if (!value) return true;
  if (!force && Clock::now() - last_checkpoint_write_ < settings_.checkpoint_interval) return true;
  return write_checkpoint_locked(*value, force);
}

bool ShardConsumer::write_checkpoint(const std::string& value, bool must_succeed) {
  std::lock_guard lock(checkpoint_mutex_);
  return write_checkpoint_locked(value, must_succeed);
}

bool ShardConsumer::write_checkpoint_locked(const std::string& value, bool must_succeed) {
  Backoff backoff(settings_.retry.backoff_initial, settings_.retry.backoff_max);
  while (true) {
    auto lease = this->lease();
    if (!lease) return false;
    auto written = store_.checkpoint(*lease, value);
    if (written && *written) {
      if (is_sequence_checkpoint(value)) tracker_->mark_checkpointed(value);
      last_checkpoint_write_ = Clock::now();
      metrics_.checkpoint_written();
      return true;
    }
    if (written) {
      // Refused: either an operator reset waits for us, or the lease is someone else's now.
      auto row = store_.get(shard_.shard_id);
      if (row && row->has_value() && (*row)->owner == lease->owner &&
          (*row)->counter == lease->counter && (*row)->pending_reset) {
        reset_pending_ = true;
      } else if (row) {
        lease_lost_ = true;
      }
      return false;
    }
    spdlog::warn("shard {}: checkpoint not written: {}", shard_.shard_id, written.error().message);
    if (!must_succeed || !sleep_for(backoff.next())) return false;
  }
}

void ShardConsumer::adopt_reset() {
  reset_pending_ = false;
  auto lease = this->lease();
  if (!lease) return;
  // Nothing read before the reset may be checkpointed or delivered after it: the lanes and
  // their sinks are dropped with what they hold, and fresh ones start.
  stop_lanes();
  tracker_->abandon();
  if (!open_lanes()) {
    reset_pending_ = true;
    sleep_for(settings_.retry.backoff_initial);
    return;
  }
  auto adopted = store_.adopt_reset(*lease);
  if (!adopted) {
    reset_pending_ = true;
    sleep_for(settings_.retry.backoff_initial);
    return;
  }
  auto row = store_.get(shard_.shard_id);
  if (!row || !row->has_value()) {
    reset_pending_ = true;
    return;
  }
  spdlog::info("shard {}: checkpoint reset to '{}' adopted", shard_.shard_id, (*row)->checkpoint);
  if ((*row)->checkpoint == cs::checkpoint_shard_end) {
    finished_shard_ = true;
    shutdown_requested_ = true;
    return;
  }
  open_reader(start_position(**row));
}

void ShardConsumer::finish_shard() {
  state_ = ConsumerState::shard_end;
  if (!drain_lanes()) return;
  while (!tracker_->all_handled()) {
    if (!sleep_for(poll_interval)) return;
  }
  if (!close_sinks(stop_lanes(), CloseReason::shard_end)) return;
  if (!write_checkpoint(std::string(cs::checkpoint_shard_end), true)) return;
  spdlog::info("shard {}: finished (SHARD_END checkpointed)", shard_.shard_id);
  finished_shard_ = true;
  if (auto lease = this->lease()) (void)store_.release(*lease);
}

void ShardConsumer::shut_down_gracefully() {
  state_ = ConsumerState::shutdown_requested;
  if (drain_lanes()) maybe_checkpoint(true);
  if (lease_lost_ || fatal_error()) return;  // run() checkpoints and releases after an error
  give_up_lease();
}

void ShardConsumer::hand_over_to(std::string worker) {
  {
    std::lock_guard lock(mutex_);
    hand_over_to_ = std::move(worker);
  }
  shutdown_requested_ = true;
}

void ShardConsumer::give_up_lease() {
  auto lease = this->lease();
  if (!lease) return;
  std::string to;
  {
    std::lock_guard lock(mutex_);
    to = hand_over_to_;
  }
  if (!to.empty()) {
    auto handed = store_.hand_over(*lease, to, settings_.lease_duration);
    if (handed && *handed) {
      spdlog::info("shard {}: lease handed over to {}", shard_.shard_id, to);
      return;
    }
    // Refused: `to` stopped too (or the lease is no longer ours, and releasing changes nothing).
    // Released, the shard goes to whoever reads the table next, not when its lease runs out.
    if (handed) {
      spdlog::info(
          "shard {}: not handed to {} (it withdrew, or the lease is no longer ours); "
          "releasing it",
          shard_.shard_id, to);
    } else {
      spdlog::warn("shard {}: lease not handed over: {}", shard_.shard_id, handed.error().message);
    }
  }
  if (auto released = store_.release(*lease); !released) {
    spdlog::warn("shard {}: lease not released: {}", shard_.shard_id, released.error().message);
  }
}

}  // namespace shardpipe
