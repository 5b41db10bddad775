// The `checkpoint` section: where checkpoints and leases live.
#include "config/properties.hpp"
#include "config/property_store.hpp"

namespace shardpipe::config {
namespace {

std::string check_store(const Value& value) {
  const auto& store = std::get<std::string>(value);
  if (store.starts_with("sqlite:") && store.size() > std::string_view("sqlite:").size()) return {};
  if (store.starts_with("postgresql://") || store.starts_with("postgres://")) return {};
  return "store must be sqlite:PATH or a postgresql:// URL, got '" + store + "'";
}

}  // namespace

std::span<const Property> checkpoint_properties() {
  static const std::vector<Property> table = {
      {.key = "store",
       .type = ValueType::string,
       .default_text = "sqlite:./state/<name>.db",
       .description = "sqlite:PATH (a file, relative to the pipe file's folder) or a "
                      "postgresql:// URL, for workers on several machines.",
       .example = "postgresql://shardpipe@127.0.0.1:5432/pipes",
       .store = member(&CheckpointConfig::store),
       .check = check_store,
       .rule = "sqlite:PATH or postgresql://..."},
      {.key = "lease_duration",
       .type = ValueType::duration,
       .default_text = "10s",
       .bounds = {.min = 1'000, .max = 3'600'000},
       .description = "How long a shard's lease lasts without renewal; a worker that stops "
                      "renewing loses its shards to others after this long.",
       .example = "30s",
       .store = member(&CheckpointConfig::lease_duration)},
  };
  return table;
}

}  // namespace shardpipe::config
