#include "targets/unit_sink.hpp"

namespace shardpipe {

DeliveryOutcome UnitSink::deliver(std::span<const Record> batch) {
  DeliveryOutcome outcome;
  // A full unit left by a failed write is written before anything else is taken.
  if (full() && !write_current(outcome)) return outcome;
  for (const auto& record : batch) {
    if (ordinals_.empty()) first_sequence_ = record.sequence_number;
    content_.append(record.envelope);
    content_.push_back('\n');
    ordinals_.push_back(record.ordinal);
    ++outcome.accepted;
    if (full() && !write_current(outcome)) return outcome;
  }
  return outcome;
}

DeliveryOutcome UnitSink::flush() {
  DeliveryOutcome outcome;
  if (!ordinals_.empty()) {
    const bool partial = !full();
    if (write_current(outcome)) outcome.checkpoint_now = partial;
  }
  return outcome;
}

bool UnitSink::write_current(DeliveryOutcome& outcome) {
  auto written = write_unit(first_sequence_, content_);
  if (!written) {
    outcome.error = written.error();
    return false;
  }
  outcome.delivered.insert(outcome.delivered.end(), ordinals_.begin(), ordinals_.end());
  content_.clear();
  ordinals_.clear();
  return true;
}

}  // namespace shardpipe
