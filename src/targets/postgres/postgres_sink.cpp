#include "targets/postgres/postgres_sink.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <vector>

#include "targets/postgres/connection.hpp"
#include "targets/postgres/mirror_change.hpp"
#include "targets/postgres/text_array.hpp"

namespace shardpipe::postgres_target {
namespace {

constexpr unsigned write_parameter_types[write_statement_parameters] = {
    text_oid, text_array_oid, text_array_oid, text_array_oid, text_array_oid};

class PostgresSink final : public ShardSink {
 public:
  PostgresSink(std::shared_ptr<const PostgresSettings> settings, std::string shard_id)
      : settings_(std::move(settings)),
        shard_id_(std::move(shard_id)),
        statement_(write_statement(settings_->mode, settings_->table)) {}

  DeliveryOutcome deliver(std::span<const Record> batch) override {
    DeliveryOutcome outcome;
    if (batch.empty()) return outcome;
    // Records that cannot become rows are refused here; the others are written.
    std::vector<size_t> rows;
    rows.reserve(batch.size());
    changes_.assign(settings_->mode == Mode::mirror ? batch.size() : 0, std::nullopt);
    for (size_t i = 0; i < batch.size(); ++i) {
      if (auto refusal = plan_row(batch[i], i)) {
        outcome.failed_items.push_back({i, std::move(*refusal)});
      } else {
        rows.push_back(i);
      }
    }
    if (rows.empty()) {
      outcome.accepted = batch.size();
      return outcome;
    }
    if (auto error = connect()) return DeliveryOutcome::failed(std::move(*error));

    auto written = write(batch, statement_rows(rows));
    if (!written) {
      if (written.error().kind != SqlErrorKind::data) return abandon(std::move(written.error()));
      spdlog::warn(
          "shard {}: PostgreSQL refused a batch of {} rows ({}); writing them one at a time to "
          "find the refused records",
          shard_id_, rows.size(), written.error().error.message);
      return write_one_at_a_time(batch, rows, std::move(outcome));
    }
    for (size_t i : rows) outcome.delivered.push_back(batch[i].ordinal);
    outcome.accepted = batch.size();
    return outcome;
  }

  DeliveryOutcome flush() override { return {}; }
  size_t pending() const override { return 0; }
  Status close(CloseReason) override {
    connection_.reset();
    return {};
  }

 private:
  // Why `record` cannot be written, or nullopt (then, in mirror mode, its change is kept).
  std::optional<Error> plan_row(const Record& record, size_t index) {
    if (record.decode_failed || record.envelope.empty()) {
      return Error::permanent(fmt::format("record {} has no JSON to write", record.event_id));
    }
    if (settings_->mode == Mode::insert) return std::nullopt;
    auto change = mirror_change(record);
    if (!change) return std::move(change.error());
    changes_[index] = std::move(*change);
    return std::nullopt;
  }

  // The rows one statement writes. In mirror mode only the latest change of each key counts (a
  // statement may touch a row once), and keys go in sorted order so that concurrent sinks lock
  // rows in the same order.
  std::vector<size_t> statement_rows(const std::vector<size_t>& rows) const {
    if (settings_->mode == Mode::insert) return rows;
    std::unordered_map<std::string_view, size_t> latest;
    for (size_t i : rows) {
      auto [found, inserted] = latest.try_emplace(changes_[i]->key, i);
      if (!inserted && changes_[found->second]->position <= changes_[i]->position) {
        found->second = i;
      }
    }
    std::vector<size_t> chosen;
    chosen.reserve(latest.size());
    for (const auto& [key, i] : latest) chosen.push_back(i);
    std::ranges::sort(chosen, {}, [&](size_t i) -> const std::string& { return changes_[i]->key; });
    return chosen;
  }

  SqlResult<void> write(std::span<const Record> batch, std::span<const size_t> rows) {
    TextArray first, second, third, fourth;
    if (settings_->mode == Mode::insert) {
      size_t bytes = 0;
      for (size_t i : rows) bytes += batch[i].envelope.size();
      fourth.reserve(rows.size(), bytes);
      for (size_t i : rows) {
        first.add(batch[i].event_id);
        second.add(batch[i].sequence_number);
        third.add(batch[i].partition_key);
        fourth.add(batch[i].envelope);
      }
    } else {
      for (size_t i : rows) {
        const MirrorChange& change = *changes_[i];
        first.add(change.key);
        second.add(change.position.sequence);
        third.add(std::to_string(change.position.sub_sequence));
        if (change.item) {
          fourth.add(*change.item);
        } else {
          fourth.add_null();
        }
      }
    }
    const Parameter parameters[write_statement_parameters] = {{shard_id_, false},
                                                              {first.bytes(), true},
                                                              {second.bytes(), true},
                                                              {third.bytes(), true},
                                                              {fourth.bytes(), true}};
    auto executed = connection_->execute_prepared(write_statement_name, parameters);
    if (!executed) return std::unexpected(std::move(executed.error()));
    return {};
  }

  // One transaction, one savepoint per row (in batch order, so mirror mode applies every change
  // of a key in turn): refused rows are reported as failed records, the rest committed.
  DeliveryOutcome write_one_at_a_time(std::span<const Record> batch,
                                      const std::vector<size_t>& rows, DeliveryOutcome outcome) {
    if (auto begun = connection_->execute("BEGIN"); !begun)
      return abandon(std::move(begun.error()));
    std::vector<size_t> written;
    for (size_t i : rows) {
      if (auto saved = connection_->execute("SAVEPOINT shardpipe_row"); !saved) {
        return abandon(std::move(saved.error()));
      }
      auto one = write(batch, std::span<const size_t>(&i, 1));
      if (one) {
        if (auto released = connection_->execute("RELEASE SAVEPOINT shardpipe_row"); !released) {
          return abandon(std::move(released.error()));
        }
        written.push_back(i);
        continue;
      }
      if (one.error().kind != SqlErrorKind::data) return abandon(std::move(one.error()));
      if (auto undone = connection_->execute("ROLLBACK TO SAVEPOINT shardpipe_row"); !undone) {
        return abandon(std::move(undone.error()));
      }
      outcome.failed_items.push_back(
          {i, Error::permanent(fmt::format("PostgreSQL refused record {}: {}", batch[i].event_id,
                                           one.error().error.message))});
    }
    if (auto committed = connection_->execute("COMMIT"); !committed) {
      return abandon(std::move(committed.error()));
    }
    for (size_t i : written) outcome.delivered.push_back(batch[i].ordinal);
    outcome.accepted = batch.size();
    return outcome;
  }

  // The whole batch failed: nothing is reported delivered (a commit whose answer was lost may
  // have written it, which the replay's conflict handling absorbs). A connection that is gone,
  // or stuck in a failed transaction, is dropped so the next attempt starts afresh.
  DeliveryOutcome abandon(SqlFailure failure) {
    if (connection_ && connection_->usable() && connection_->in_transaction()) {
      if (!connection_->execute("ROLLBACK")) connection_.reset();
    }
    if (connection_ && !connection_->usable()) connection_.reset();
    return DeliveryOutcome::failed(std::move(failure.error));
  }

  // nullopt once a usable connection with the prepared statement is there.
  std::optional<Error> connect() {
    if (connection_ && connection_->usable()) return std::nullopt;
    connection_.reset();
    auto opened = Connection::open(settings_->dsn);
    if (!opened) return std::move(opened.error().error);
    auto prepared = (*opened)->prepare(write_statement_name, statement_, write_parameter_types);
    if (!prepared) return std::move(prepared.error().error);
    if (connected_before_) {
      spdlog::info("shard {}: connected to PostgreSQL again ({})", shard_id_,
                   settings_->dsn.describe());
    }
    connected_before_ = true;
    connection_ = std::move(*opened);
    return std::nullopt;
  }

  std::shared_ptr<const PostgresSettings> settings_;
  std::string shard_id_;
  std::string statement_;
  std::unique_ptr<Connection> connection_;  // this sink's own: a sink is used by one thread
  bool connected_before_ = false;
  std::vector<std::optional<MirrorChange>> changes_;  // mirror mode: per record of the batch
};

}  // namespace

std::unique_ptr<ShardSink> make_postgres_sink(std::shared_ptr<const PostgresSettings> settings,
                                              std::string shard_id) {
  return std::make_unique<PostgresSink>(std::move(settings), std::move(shard_id));
}

}  // namespace shardpipe::postgres_target
